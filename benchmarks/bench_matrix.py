"""Wall time of the main job, ``nox -s compat``, and where it goes: one script, one run, every figure.

Prints, and with --write records in benchmarks/RESULTS.md:

- warm ``nox -s compat`` (virtualenvs reused), the median of --warm-runs, and the same with
  ``nox -t compat -j auto`` (nox's --parallel, one release per CPU at once);
- cold ``nox -s compat --reuse-venv=never`` (every release's virtualenv built again; packages
  from uv's cache), and with --fresh-clone the README's command in a new clone with empty
  package caches;
- the breakdown: collection only (start-up: nox, interpreters, imports, pytest), every
  scenario but the 10,000-delivery storm, and warm runs of sub-matrices (1, 3, 6 releases ×
  5 API versions; 6 × 1, 3) from which two fitted lines separate the cost of a release
  (its session and interpreter), of a cell (its pytest run) and of a scenario, and gives the
  slope: what one more cell costs, and the model's 12 × 10;
- per-request cost (floor, replay, full plugin chain, localstripe; stripe-mock when
  STRIPE_MOCK_URL is set) from ``bench_requests.py --json``, and the ratios.

Each figure is printed with the machine's load average over it: on a shared machine the
load, not the harness, is often what limits a figure.

    python benchmarks/bench_matrix.py --write            # everything, warm median of 3
    python benchmarks/bench_matrix.py --no-cold --warm-runs 1
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from results_md import stamp, write_section

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from harness.matrix import load_matrix  # noqa: E402

MATRIX = load_matrix(ROOT / "pyproject.toml")
#: One line per cell's pytest run: its summary ("35 passed in 1.2s", "35 tests collected in 0.3s").
_CELL_DONE = re.compile(r"^=* ?.*\b(passed|failed|errors?|collected)\b.* in [\d.]+s", re.M)
_VERDICT = re.compile(r"^(NOT GREEN|GREEN):.*$", re.M)


class Measured:
    """One timed nox run: wall seconds, cells run, the verdict line, the load average around it."""

    def __init__(self, label: str, wall: float, cells: int, verdict: str, load: tuple[float, float],
                 output: str) -> None:
        self.label, self.wall, self.cells, self.verdict, self.load = label, wall, cells, verdict, load
        self.output = output

    def row(self) -> str:
        return (f"| {self.label} | {self.wall:.1f} | {self.cells} | {self.wall / max(self.cells, 1):.2f} | "
                f"{self.load[0]:.1f} → {self.load[1]:.1f} | {self.verdict} |")


def nox(label: str, args: Sequence[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None,
        command: str | None = None) -> Measured:
    """Run nox (or ``command`` in a shell) once and time it.

    A failing scenario still times the run (the verdict column says what failed); a run in
    which no cell ran, or nox itself broke, exits: its figure would mean nothing.
    """
    argv = ["bash", "-c", command] if command else [sys.executable, "-m", "nox", *args]
    before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    output = proc.stdout + proc.stderr
    verdict = _VERDICT.search(output)
    cells = len(_CELL_DONE.findall(output))
    if cells == 0 or proc.returncode not in (0, 1):
        print(output[-4000:], file=sys.stderr)
        raise SystemExit(f"{label}: nox exited {proc.returncode} with {cells} cells run; figures would be meaningless")
    return Measured(label, wall, cells, verdict.group(0) if verdict else "", (before, os.getloadavg()[0]), output)


def sub_matrix(releases: Sequence[str], apis: Sequence[str], label: str) -> Measured:
    """A warm run of some releases × some API versions (the releases' sessions, the versions as a pytest option)."""
    sessions = [f"compat({lib})" for lib in releases]
    return nox(label, ["-s", *sessions, "--", f"--stripe-api-versions={','.join(apis)}"])


def fit(by_cells: Sequence[tuple[int, float]], by_releases: Sequence[tuple[int, float]], apis: int,
        ) -> tuple[float, float, float]:
    """(fixed, per release, per cell) from two lines: all releases × 1..n versions, and 1..n releases × all versions.

    wall = fixed + releases × per_release + cells × per_cell: along the first line only
    the cells change (slope: per cell); along the second each release brings ``apis`` cells.
    """
    per_cell = statistics.linear_regression(*zip(*by_cells, strict=True)).slope
    line = statistics.linear_regression(*zip(*by_releases, strict=True))
    per_release = line.slope - apis * per_cell
    return line.intercept, per_release, per_cell


def fresh_clone_command(tmp: str) -> tuple[str, dict[str, str], Path]:
    clone, venv = Path(tmp) / "clone", Path(tmp) / "venv"
    env = {**os.environ, "UV_CACHE_DIR": f"{tmp}/uv-cache", "PIP_NO_CACHE_DIR": "1",
           "PATH": f"{venv}/bin:{os.environ['PATH']}"}
    env.pop("STRIPE_COMPAT_RUN_ID", None)
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    return f"{sys.executable} -m venv {venv} && pip install --quiet 'nox[uv]' && nox -s compat", env, clone


def per_request(iterations: int) -> dict[str, float]:
    """bench_requests.py's medians (seconds per request), run with the project's own venv."""
    python = ROOT / ".venv" / "bin" / "python"
    proc = subprocess.run([str(python if python.exists() else sys.executable), "benchmarks/bench_requests.py",
                           "--json", "--iterations", str(iterations)], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)["per_request_s"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warm-runs", type=int, default=3, help="warm runs of nox -s compat; the median is reported")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold run")
    parser.add_argument("--fresh-clone", action="store_true", help="also a new clone with empty caches")
    parser.add_argument("--iterations", type=int, default=100, help="per-request benchmark iterations")
    parser.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = parser.parse_args()
    libs, apis = MATRIX.stripe, MATRIX.api_versions
    cells = len(libs) * len(apis)
    runs: list[Measured] = []

    if not args.no_cold:  # first, so that the warm runs after it find every virtualenv
        runs.append(nox("cold: `nox -s compat --reuse-venv=never` (packages from uv's cache)",
                        ["-s", "compat", "--reuse-venv=never"]))
    if args.fresh_clone:
        with tempfile.TemporaryDirectory(prefix="stripe-compat-fresh-") as tmp:
            command, env, clone = fresh_clone_command(tmp)
            runs.append(nox("cold, fresh clone, empty caches: `pip install 'nox[uv]' && nox -s compat`", [],
                            cwd=clone, env=env, command=command))
    warm = [nox(f"warm: `nox -s compat` (run {i + 1})", ["-s", "compat"]) for i in range(args.warm_runs)]
    runs += warm
    median = statistics.median(m.wall for m in warm)
    runs.append(nox("warm: `nox -t compat -j auto`", ["-t", "compat", "-j", "auto"]))
    collect = nox("warm, collection only (start-up)", ["-s", "compat", "--", "--collect-only", "-q"])
    no_storm = nox("warm, all but the storm", ["-s", "compat", "--", "-k", "not test_storm"])
    runs += [collect, no_storm]
    scenarios = int(re.search(r"(\d+) tests? collected", collect.output).group(1))
    column = {n: sub_matrix(libs, apis[:n], f"warm, {len(libs)} × {n}") for n in (1, 3)}
    row = {n: sub_matrix(libs[:n], apis, f"warm, {n} × {len(apis)}") for n in (1, 3)}
    runs += [*column.values(), *row.values()]
    fixed, per_release, per_cell = fit(
        [*((len(libs) * n, m.wall) for n, m in column.items()), (cells, median)],
        [*((n, m.wall) for n, m in row.items()), (len(libs), median)],
        len(apis),
    )
    requests = per_request(args.iterations)

    floor = requests["floor (canned, in process)"]
    storm = median - no_storm.wall
    lines = [
        f"## Main job wall time ({stamp()}, {len(os.sched_getaffinity(0))} cores, "
        f"`python benchmarks/bench_matrix.py`)",
        "",
        f"**Warm `nox -s compat`, {len(libs)} × {len(apis)} = {cells} cells: median {median:.1f} s** of "
        f"{len(warm)} ({', '.join(f'{m.wall:.1f}' for m in warm)})"
        + (f"; cold {runs[0].wall:.1f} s." if not args.no_cold else "; cold not measured in this run."),
        "",
        "| run | wall s | cells | s per cell | load average (1 min) before → after | verdict |",
        "|---|---|---|---|---|---|",
        *(m.row() for m in runs),
        "",
        "Breakdown (straight lines through the sub-matrices and the full warm median: "
        "wall = fixed + releases × per release + cells × per cell):",
        "",
        "| part | seconds |",
        "|---|---|",
        f"| fixed (nox start-up, the verdict session) | {fixed:.2f} |",
        f"| per release (its nox session, interpreter, importing stripe and the harness) | {per_release:.2f} |",
        f"| per cell (its forked pytest run: collection, {scenarios} scenarios, its files) | {per_cell:.2f} |",
        f"| per scenario (per cell / {scenarios}) | {per_cell / scenarios:.3f} |",
        f"| start-up of the whole matrix (collection-only run) | {collect.wall:.1f} |",
        f"| the storm and its baseline, all cells (warm median − all but the storm) | {storm:.1f} |",
        "",
        f"Slope: one more cell costs {per_cell:.2f} s and one more release {per_release + len(apis) * per_cell:.2f} s "
        f"with its {len(apis)} cells; the model's 12 × 10 (120 cells) is "
        f"{fixed + 12 * per_release + 120 * per_cell:.0f} s (measured up to {len(libs)} × {len(apis)}: "
        "the catalogue has cassettes for these API versions only, and more releases meant more installs "
        "than the time allowed).",
        "",
        "| per request | median µs | × floor |",
        "|---|---|---|",
        *(f"| {name} | {secs * 1e6:.0f} | {secs / floor:.2f} |" for name, secs in requests.items()),
        "",
        f"Replay is {requests['localstripe'] / requests['replay']:.1f}× faster than localstripe and "
        f"{requests['replay'] / floor:.2f}× the floor; the full chain "
        f"{requests['replay, full plugin chain'] / floor:.2f}×."
        + ("" if "stripe-mock" in requests else " stripe-mock: not measured (no STRIPE_MOCK_URL, no Docker daemon)."),
    ]
    print("\n".join(lines))
    if args.write:
        write_section("## Main job wall time", "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
