"""Committed cassettes per API version: bytes on disk, files, shared bases, and the time to load them.

Every matrix cell loads every cassette of its API version (``CassetteFile.read``, bases
resolved), so the load time is paid by each cell; the bytes are paid by every adopter that
commits them, once per API version. Prints a table and, with --write, records it in
benchmarks/RESULTS.md.

    python benchmarks/bench_cassettes.py [--runs 5] [FOLDER ...] [--write]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from results_md import stamp, write_section

from harness.cassettes.shared import SHARED_DIR, forget_bases
from harness.cassettes.store import CassetteFile, cassette_files

ROOT = Path(__file__).resolve().parents[1]


def _load_s(files: list[Path], runs: int, *, events: bool) -> float:
    """Median time to read every cassette of one folder (and resolve its events), each run with a cold base cache.

    Events resolve when first asked for: replay reads every body and no event, so a cell pays the first figure.
    """
    times = []
    for _ in range(runs):
        forget_bases()
        started = time.perf_counter()
        for path in files:
            cassette = CassetteFile.read(path)
            if events:
                _ = cassette.events
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _row(folder: Path, runs: int) -> str:
    files = cassette_files(folder)
    bases = sorted((folder / SHARED_DIR).glob("*.json"))
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    label = folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder
    load, everything = (_load_s(files, runs, events=e) * 1e3 for e in (False, True))
    return f"| {label} | {size:,} | {len(files)} | {len(bases)} | {load:.1f} ms | {everything:.1f} ms |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[ROOT / "cassettes"], metavar="FOLDER",
                        help="cassette roots, one sub-folder per API version (default: cassettes/)")
    parser.add_argument("--runs", type=int, default=5, help="take the median of this many runs")
    parser.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = parser.parse_args()
    versions = [v for root in args.folders for v in sorted(root.resolve().iterdir()) if v.is_dir()]
    lines = [
        f"## Cassettes ({stamp()})",
        "",
        "| API version folder | bytes | cassettes | shared bases | load all (CassetteFile.read) | and their events |",
        "|---|---:|---:|---:|---:|---:|",
        *(_row(folder, args.runs) for folder in versions),
        "",
        f"`python benchmarks/bench_cassettes.py --write`, median of {args.runs}, bases read afresh each run; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machines run slower).",
    ]
    print("\n".join(lines))
    if args.write:
        write_section("## Cassettes", "\n".join(lines))


if __name__ == "__main__":
    main()
