"""Wall time of the main job, ``nox -s compat``, cold (new virtualenvs) and warm (reused).

Prints the figures and, with --write, records them in benchmarks/RESULTS.md. Cold
means every cell's virtualenv is created and filled again (``--reuse-venv=never``);
packages come from uv's cache or the index. Warm reuses the virtualenvs.

    python benchmarks/bench_matrix.py --cold --warm --write
"""

from __future__ import annotations

import argparse
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SESSION = re.compile(r"Session compat\(\S+\) was successful")


def run_compat(reuse: str) -> tuple[float, int, str]:
    """Run the main job once; returns (wall seconds, cells run, the verdict line)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "nox", "-s", "compat", f"--reuse-venv={reuse}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        print(output[-4000:], file=sys.stderr)
        msg = f"nox -s compat failed (exit {proc.returncode}); figures would be meaningless"
        raise SystemExit(msg)
    cells = len(_SESSION.findall(output))
    tail = "\n".join(line for line in output.splitlines() if "cells green" in line)
    return wall, cells, tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", action="store_true", help="measure with new virtualenvs")
    parser.add_argument("--warm", action="store_true", help="measure with reused virtualenvs")
    parser.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = parser.parse_args()
    if not (args.cold or args.warm):
        parser.error("choose --cold, --warm or both")
    lines = [
        f"## Main job wall time ({time.strftime('%Y-%m-%d')}, {platform.machine()}, "
        f"{platform.python_version()}, {len(__import__('os').sched_getaffinity(0))} cores)",
        "",
        "| run | wall s | cells | mean s per cell | verdict |",
        "|---|---|---|---|---|",
    ]
    for label, reuse, wanted in (("cold", "never", args.cold), ("warm", "yes", args.warm)):
        if not wanted:
            continue
        wall, cells, verdict = run_compat(reuse)
        row = f"| {label} | {wall:.1f} | {cells} | {wall / max(cells, 1):.1f} | {verdict.strip()} |"
        print(row)
        lines.append(row)
    if args.write:
        results = ROOT / "benchmarks" / "RESULTS.md"
        previous = results.read_text() if results.exists() else "# Benchmark results\n"
        section = re.compile(r"## Main job wall time.*?(?=\n## |\Z)", re.S)
        text = "\n".join(lines) + "\n"
        updated = section.sub(text, previous) if section.search(previous) else previous.rstrip() + "\n\n" + text
        results.write_text(updated)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
