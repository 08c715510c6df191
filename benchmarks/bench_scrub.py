"""Cost of the secret patterns: the scan of every committed cassette, and scrubbing on replay and record.

Replay scrubs each request before matching it, so its cost is paid on every replayed
request of every cell; recording scrubs every response body once. The figures are
over the committed cassettes (cassettes/ and examples/shop/cassettes/). Prints a table
and, with --write, records it in benchmarks/RESULTS.md.

    python benchmarks/bench_scrub.py --write
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from results_md import stamp, write_section

from harness.backends.base import Request
from harness.cassettes.scan import scan
from harness.cassettes.scrub import scrub_bytes, scrub_request
from harness.cassettes.store import CassetteFile, cassette_files, from_vcr_response

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [ROOT / "cassettes", ROOT / "examples" / "shop" / "cassettes"]


def _best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="take the best of this many runs")
    parser.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = parser.parse_args()
    files = [path for folder in FOLDERS for path in cassette_files(folder)]
    interactions = [pair for path in files for pair in CassetteFile.read(path).interactions]
    requests = [Request(r.method, r.uri, {}, r.body or b"") for r, _ in interactions]
    bodies = [from_vcr_response(stored).body for _, stored in interactions]
    megabytes = sum(len(body) for body in bodies) / 1e6

    scan_s = _best_of(args.runs, lambda: scan(FOLDERS))
    replay_s = _best_of(args.runs, lambda: [scrub_request(r) for r in requests])
    record_s = _best_of(args.runs, lambda: [scrub_bytes(b) for b in bodies])
    lines = [
        f"## Secret patterns ({stamp()})",
        "",
        "| what | figure |",
        "|---|---|",
        f"| `cassettes scan` of {len(files)} committed cassettes ({megabytes:.1f} MB of bodies) | {scan_s:.2f} s |",
        f"| scrub one replayed request (before matching), {len(requests)} requests | "
        f"{replay_s / len(requests) * 1e6:.1f} µs |",
        f"| scrub recorded response bodies | {megabytes / record_s:.1f} MB/s |",
        "",
        "`python benchmarks/bench_scrub.py --write`, best of 3.",
    ]
    print("\n".join(lines))
    if args.write:
        write_section("## Secret patterns", "\n".join(lines))


if __name__ == "__main__":
    main()
