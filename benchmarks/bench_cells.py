"""Where a matrix cell's time and memory go, for every stripe-python release in the matrix.

For each release: creating and filling its virtualenv (uv, from the local cache),
interpreter start, importing the harness, pytest start-up (collection only), the
whole cell run with and without pytest-xdist, peak memory of the cell, and the
library's own per-request cost (the in-process floor from bench_requests.py, so an
upgrade's performance impact is visible). Writes .stripe-compat/bench/cells.json
(read by the report) and, with --write, a section of benchmarks/RESULTS.md.

    python benchmarks/bench_cells.py --write
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_requests import CANNED, ROOT
from results_md import stamp, write_section

from harness.matrix import load_matrix

WORK = ROOT / ".stripe-compat" / "bench"
API = "2024-06-20"


def timed(cmd: list[str], **kwargs: object) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``cmd``; returns wall seconds and the completed process (which must succeed)."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT, **kwargs)  # type: ignore[call-overload]
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return wall, proc


def peak_rss_mb(cmd: list[str]) -> float:
    """Peak resident memory of ``cmd``, in MiB, measured from a fresh parent process.

    RUSAGE_CHILDREN keeps the largest child ever waited for, so the measuring parent
    must have no other children (uv, earlier runs) or their peak would be reported.
    """
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True, check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    _, proc = timed([sys.executable, "-c", probe, *cmd])
    return int(proc.stdout.strip()) / 1024  # Linux reports KiB


def measure(lib: str) -> dict[str, float | str]:
    """Every figure for one release."""
    venv = WORK / f"venv-{lib}"
    shutil.rmtree(venv, ignore_errors=True)
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    t_venv, _ = timed([uv, "venv", "-q", "-p", sys.executable, str(venv)])
    t_install, _ = timed([uv, "pip", "install", "-q", "--compile-bytecode", "-p", str(venv / "bin" / "python"),
                          "-e", ".", f"stripe=={lib}"])
    py = str(venv / "bin" / "python")
    t_python, _ = timed([py, "-c", "pass"])
    t_import, _ = timed([py, "-c", "import harness.plugin"])
    cell = [py, "-m", "pytest", "--pyargs", "harness.scenarios", f"--stripe-api-version={API}", "-q",
            "-p", "no:cacheprovider"]
    t_collect, _ = timed([*cell, "--collect-only"])
    t_cell, proc = timed(cell)
    t_xdist, _ = timed([*cell, "-n", "2"])
    summary = proc.stdout.strip().splitlines()[-1]
    floor = json.loads(timed([py, "benchmarks/bench_requests.py", "--floor-only", "--json", "--iterations", "300"])[1]
                       .stdout)["per_request_s"]["floor (canned, in process)"]
    return {
        "stripe": lib, "venv_s": t_venv, "install_s": t_install, "python_s": t_python, "import_s": t_import,
        "collect_s": t_collect, "cell_s": t_cell, "cell_xdist2_s": t_xdist, "peak_rss_mb": peak_rss_mb(cell),
        "floor_us_per_request": floor * 1e6, "scenarios": summary,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="record the table in benchmarks/RESULTS.md")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if not CANNED.exists():  # the floor replays responses a full bench_requests run records
        timed([sys.executable, "benchmarks/bench_requests.py", "--iterations", "20"])
    rows = [measure(lib) for lib in load_matrix(ROOT / "pyproject.toml").stripe]
    (WORK / "cells.json").write_text(json.dumps(rows, indent=2) + "\n")
    lines = [
        f"## Per-cell overhead and per-release library cost ({stamp()}, API {API}, "
        "seconds unless stated)",
        "",
        "| stripe | venv | install (cached) | python start | import harness | pytest collect | cell run "
        "| cell run -n 2 | peak MiB | library µs/request |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['stripe']} | {r['venv_s']:.2f} | {r['install_s']:.2f} | {r['python_s']:.2f} | {r['import_s']:.2f} "
        f"| {r['collect_s']:.2f} | {r['cell_s']:.2f} | {r['cell_xdist2_s']:.2f} | {r['peak_rss_mb']:.0f} "
        f"| {r['floor_us_per_request']:.0f} |"
        for r in rows
    ]
    print("\n".join(lines))
    if args.write:
        write_section("## Per-cell overhead", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
