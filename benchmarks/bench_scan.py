"""The static scan: precision and recall on the examples, and the time to scan the harness itself.

    .venv/bin/python benchmarks/bench_scan.py [--runs 5] [--write]

Precision and recall are counted per (file, line, rule) against hand-made labels: the planted
idioms of examples/legacy_integration (planted_idioms.json) and, for every upgrade and rollback
between matrix releases, no finding at all on harness/reference and examples/shop (each finding
there is a false positive). The examples are the ones the scan was built against, so the figures
say it does what the labels say on them, not how it fares on code it has never seen.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from itertools import permutations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from results_md import stamp, write_section

from harness.matrix import Cell, load_matrix
from harness.scan.engine import scan

ROOT = Path(__file__).resolve().parents[1]
#: Examples with labelled idioms: folder -> its labels file.
LABELLED = {"examples/legacy_integration": "planted_idioms.json", "examples/naive_integration": "planted_idioms.json"}
CLEAN = ["harness/reference", "examples/shop"]


def _labelled(folder: Path, upgrade: dict) -> set[tuple[str, int, str]]:
    found = set()
    for entry in upgrade["expected"]:
        lines = (folder / entry["file"]).read_text().splitlines()
        line = next(i for i, text in enumerate(lines, 1) if entry["line_contains"] in text)
        found.add((entry["file"], line, entry["rule"]))
    return found


def _counts() -> dict[str, tuple[int, int, int]]:
    """Per example: true positives, false positives, false negatives."""
    counts = {}
    for name, labels in LABELLED.items():
        folder = ROOT / name
        if not (folder / labels).is_file():
            continue
        tp = fp = fn = 0
        for upgrade in json.loads((folder / labels).read_text())["upgrades"]:
            result = scan([folder], Cell.parse(upgrade["from"]), Cell.parse(upgrade["to"]))
            got = {(str(f.path.relative_to(folder)), f.line, f.rule) for f in result.findings}
            want = _labelled(folder, upgrade)
            tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
        counts[name] = (tp, fp, fn)
    matrix = load_matrix(ROOT / "pyproject.toml")
    cells = [f"{a}@{matrix.api_versions[0]}" for a in matrix.stripe] + [
        f"{a}@{matrix.api_versions[-1]}" for a in matrix.stripe]
    pairs = list(permutations(cells, 2))
    false = sum(len(scan([ROOT / p for p in CLEAN], Cell.parse(a), Cell.parse(b)).findings) for a, b in pairs)
    counts[" + ".join(CLEAN) + f" ({len(pairs)} upgrades and rollbacks)"] = (0, false, 0)
    return counts


def _timing(runs: int) -> tuple[float, float, int, int]:
    """Wall time of the first scan of harness/ (loading the library table) and the best later one; files, lines."""
    source, target = Cell.parse("7.14.0@2023-10-16"), Cell.parse("16.1.0@2026-10-28.endive")
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        result = scan([ROOT / "harness"], source, target)
        times.append(time.perf_counter() - start)
    lines = sum(len(p.read_text().splitlines()) for p in (ROOT / "harness").rglob("*.py"))
    return times[0], min(times[1:]), result.files, lines


def _command_seconds() -> float:
    """The whole ``stripe-compat scan harness`` command, interpreter start and imports included."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "harness.cli", "scan", "harness", "--from", "7.14.0@2023-10-16",
                    "--to", "16.1.0@2026-10-28.endive"], cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _ratio(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed scans of harness/ (the best counts)")
    parser.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = parser.parse_args()
    counts = _counts()
    lines = [
        f"## Static scan ({stamp()}, `python benchmarks/bench_scan.py`, one core)",
        "",
        "| code | true positives | false positives | false negatives | precision | recall |",
        "|---|---|---|---|---|---|",
    ]
    for name, (tp, fp, fn) in counts.items():
        lines.append(f"| {name} | {tp} | {fp} | {fn} | {_ratio(tp, tp + fp)} | {_ratio(tp, tp + fn)} |")
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    lines.append(f"| all | {tp} | {fp} | {fn} | {_ratio(tp, tp + fp)} | {_ratio(tp, tp + fn)} |")
    first, best, files, loc = _timing(args.runs)
    lines += ["", f"Scanning harness/ ({files} files, {loc} lines) for 7.14.0@2023-10-16 -> 16.1.0@2026-10-28.endive: "
              f"{best:.2f} s, best of {args.runs} ({loc / best:,.0f} lines/s); the first scan in a process, which "
              f"also reads the breaks table, {first:.2f} s. Each scan reads the catalogue. The whole command, "
              f"`stripe-compat scan harness ...`, from process start: {_command_seconds():.2f} s "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: shared machines run slower)."]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("## Static scan", text)


if __name__ == "__main__":
    main()
