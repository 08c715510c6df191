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

With --large (12x10, or RxA) it measures instead how the warm matrix grows, and no model:
in a scratch copy of the project (``.stripe-compat/bench/project``; the checkout, its
pyproject and cassettes untouched) whose matrix doubles the project's with more releases
and API versions (matrix_growth.py), it records the added versions' cassettes against
localstripe once (cached by the harness's source), runs ``nox -s compat`` once to build
every virtualenv, then times warm runs of 6 × 5, 6 × 10, 12 × 5 and 12 × 10 and of the
parts of 6 × 5 the model above is fitted through (median of --warm-runs, interleaved), and
prints the slope: per added cell, per added release, and the measured 12 × 10 against the
straight line through the three smaller corners and against the 6 × 5 model's.

Each figure is printed with the machine's load average over it: on a shared machine the
load, not the harness, is often what limits a figure.

    python benchmarks/bench_matrix.py --write            # everything, warm median of 3
    python benchmarks/bench_matrix.py --no-cold --warm-runs 1
    python benchmarks/bench_matrix.py --large --write    # 6 × 5 to 12 × 10, measured
    python benchmarks/bench_matrix.py --large 2x2 --warm-runs 1   # the same from 1 × 1: a quick trial
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

from matrix_growth import (
    BENCH,
    Growth,
    Recording,
    cached_recording,
    cassette_key,
    fit_within,
    grow,
    large_pyproject,
    parse_size,
    restore_recording,
    slope,
    store_recording,
    sub_sizes,
    sync_scratch,
)
from results_md import stamp, write_section

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from harness.matrix import load_matrix, read_tool_table  # noqa: E402

MATRIX = load_matrix(ROOT / "pyproject.toml")
SCRATCH, CACHE = ROOT / BENCH / "project", ROOT / BENCH / "cassettes"
#: One line per cell's pytest run: its summary ("35 passed in 1.2s", "35 tests collected in 0.3s").
_CELL_DONE = re.compile(r"^=* ?.*\b(passed|failed|errors?|collected)\b.* in [\d.]+s", re.M)
_VERDICT = re.compile(r"^(NOT GREEN|GREEN):.*$", re.M)
_FAILED = re.compile(r"\b\d+ (failed|errors?)\b")


class Measured:
    """One timed nox run: wall seconds, cells run, the verdict line, the load average around it."""

    def __init__(self, label: str, wall: float, cells: int, verdict: str, load: tuple[float, float],
                 output: str) -> None:
        self.label, self.wall, self.cells, self.verdict, self.load = label, wall, cells, verdict, load
        self.output = output

    def row(self) -> str:
        return (f"| {self.label} | {self.wall:.1f} | {self.cells} | {self.wall / max(self.cells, 1):.2f} | "
                f"{self.load[0]:.1f} → {self.load[1]:.1f} | {self.verdict} |")


def machine_speed() -> float:
    """Seconds for two 20-million-step Python loops at once, one per core: how fast this machine is right now.

    On a shared host the same command varies by up to 3x within an hour; this puts a
    number on it next to the figures (0.66 s at the quietest seen, 2 s at the busiest).
    """
    start = time.perf_counter()
    children = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            total = 0
            for i in range(20_000_000):
                total += i
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    return time.perf_counter() - start


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
    measured = Measured(label, wall, cells, verdict.group(0) if verdict else "", (before, os.getloadavg()[0]), output)
    # A whole run takes many minutes: say how far it got (stdout keeps only the section).
    print(f"{label}: {wall:.1f} s, {cells} cells. {measured.verdict}", file=sys.stderr, flush=True)
    return measured


def sub_matrix(releases: Sequence[str], apis: Sequence[str], label: str, *, cwd: Path = ROOT,
               env: dict[str, str] | None = None) -> Measured:
    """A warm run of some releases × some API versions (the releases' sessions, the versions as a pytest option)."""
    sessions = [f"compat({lib})" for lib in releases]
    return nox(label, ["-s", *sessions, "--", f"--stripe-api-versions={','.join(apis)}"], cwd=cwd, env=env)


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


def record(apis: Sequence[str], cassettes: Path, env: dict[str, str]) -> tuple[list[Recording], list[Measured]]:
    """The copy's cassettes of ``apis``: from the cache, else recorded by its own ``nox -s "record(V)"`` and cached.

    A version that does not record green stops the run: its cells would fail for the
    recording's sake, not the library's, and the figures would time those failures.
    """
    key = cassette_key(ROOT)
    recordings, runs = [], []
    for api in apis:
        recording = cached_recording(CACHE, key, api)
        if recording is None:
            run = nox(f'record {api} against localstripe: `nox -s "record({api})"`', ["-s", f"record({api})"],
                      cwd=SCRATCH, env=env)
            summary = [m.group(0) for m in _CELL_DONE.finditer(run.output)][-1]
            if _FAILED.search(summary):
                print(run.output[-4000:], file=sys.stderr)
                raise SystemExit(
                    f"{api} does not record green on localstripe ({summary.strip('= ')}; the end of its output is "
                    f"above, `cd {SCRATCH} && nox -s \"record({api})\"` repeats it): its cells would fail for the "
                    "recording's sake. "
                    "Replace it in EXTRA_API_VERSIONS (benchmarks/matrix_growth.py) by another version that "
                    "contracts/provider/ knows.")
            recording = Recording(api, round(run.wall, 1), time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
            store_recording(cassettes / api, CACHE, key, recording)
            runs.append(run)
        else:
            restore_recording(CACHE, key, api, cassettes)
        recordings.append(recording)
    return recordings, runs


def growth(size: tuple[int, int], warm_runs: int, write: bool) -> int:
    """Time warm ``nox -s compat`` from the project's matrix (or part of it) to ``size``, in a scratch copy."""
    plan: Growth = grow(MATRIX.stripe, MATRIX.api_versions, size)
    sync_scratch(ROOT, SCRATCH)
    pyproject = SCRATCH / "pyproject.toml"
    pyproject.write_text(large_pyproject(pyproject.read_text(), plan.large_releases, plan.large_apis))
    cassettes = SCRATCH / str(read_tool_table(pyproject).get("cassettes", "cassettes"))
    # A key would record live, and a run id would let the report count another run's cells as this one's.
    env = {k: v for k, v in os.environ.items() if k not in ("STRIPE_API_KEY", "STRIPE_COMPAT_RUN_ID")}
    recordings, runs = record([api for api in plan.large_apis if not (cassettes / api).is_dir()], cassettes, env)
    recorded_now = len(runs)
    large = plan.large
    runs.append(nox(f"warm-up: `nox -s compat` at {large[0]} × {large[1]} (every virtualenv built or checked)",
                    ["-s", "compat"], cwd=SCRATCH, env=env))
    timed: dict[tuple[int, int], list[Measured]] = {}
    for i in range(warm_runs):  # the sizes interleaved, so that a change in the machine's load reaches them all
        for libs, apis in [*plan.corners, *plan.within_small]:
            label = f"warm, {len(libs)} × {len(apis)} (run {i + 1})"
            run = (nox(f"{label}: `nox -s compat`", ["-s", "compat"], cwd=SCRATCH, env=env)
                   if (len(libs), len(apis)) == large else sub_matrix(libs, apis, label, cwd=SCRATCH, env=env))
            timed.setdefault((len(libs), len(apis)), []).append(run)
            runs.append(run)
    lines = growth_lines(plan, timed, runs, recording_line(recordings, recorded_now), warm_runs)
    print("\n".join(lines))
    if write:
        write_section("## Growth of the warm matrix", "\n".join(lines))
    return 0


def growth_lines(plan: Growth, timed: dict[tuple[int, int], list[Measured]], runs: Sequence[Measured],
                 recorded: str, warm_runs: int) -> list[str]:
    """The "Growth of the warm matrix" section: the largest run, what was added, every run, the medians, the slope."""
    medians = {shape: statistics.median(m.wall for m in ms) for shape, ms in timed.items()}
    (r, a), (big_r, big_a) = small, large = plan.small, plan.large
    grew = slope(medians, small, large)
    largest = sorted(timed[large], key=lambda m: m.wall)
    big = f"{big_r} × {big_a}"
    added_libs = [lib for lib in plan.large_releases if lib not in plan.small_releases]
    added_apis = [api for api in plan.large_apis if api not in plan.small_apis]
    if r > 1 and a > 1:
        fixed, per_release, per_cell = fit_within(medians, r, a)
        model = fixed + big_r * per_release + big_r * big_a * per_cell
        within = (f"The model fitted within {r} × {a} as the default run fits it (through "
                  f"{', '.join(f'{x} × {y}' for x, y in sorted(medians) if x <= r and y <= a)}: "
                  f"{per_cell:.2f} s per cell, {per_release:.2f} s per release, {fixed:.2f} s fixed) predicts "
                  f"{model:.1f} s for {big}: the measured {grew.measured:.1f} s is {grew.measured / model - 1:+.0%}.")
    else:
        within = f"{r} × {a} has no smaller matrices to fit a model within."
    return [
        f"## Growth of the warm matrix, {r} × {a} to {big} ({stamp()}, {len(os.sched_getaffinity(0))} cores, "
        f"`python benchmarks/bench_matrix.py --large {big_r}x{big_a} --warm-runs {warm_runs}`)",
        "",
        f"**Warm `nox -s compat` at {big} = {big_r * big_a} cells: median {medians[large]:.1f} s** of "
        f"{len(largest)} ({', '.join(f'{m.wall:.1f}' for m in timed[large])}), "
        f"{medians[large] / (big_r * big_a):.2f} s per cell; {r} × {a} in the same copy {medians[small]:.1f} s. "
        f"Verdict at {big}: {largest[(len(largest) - 1) // 2].verdict}",
        "",
        f"Releases {', '.join(plan.large_releases)} (added: {', '.join(added_libs)}); API versions "
        f"{', '.join(plan.large_apis)} (added: {', '.join(added_apis)}). In a copy of the project ({BENCH}/project), "
        "the pyproject's matrix replaced; the smaller sizes are the releases' sessions with `--stripe-api-versions`.",
        "",
        recorded,
        "",
        "| run | wall s | cells | s per cell | load average (1 min) before → after | verdict |",
        "|---|---|---|---|---|---|",
        *(m.row() for m in runs),
        "",
        "| matrix | cells | median wall s | s per cell |",
        "|---|---|---|---|",
        *(f"| {libs} × {apis} | {libs * apis} | {wall:.1f} | {wall / (libs * apis):.2f} |"
          for (libs, apis), wall in sorted(medians.items())),
        "",
        f"Slope: one more cell (API versions added) costs {grew.per_cell_small:.2f} s at {r} releases and "
        f"{grew.per_cell_large:.2f} s at {big_r}; one more release costs {grew.per_release_small:.2f} s with its "
        f"{a} cells and {grew.per_release_large:.2f} s with its {big_a}. The straight line through {r} × {a}, "
        f"{r} × {big_a} and {big_r} × {a} (wall = fixed + releases × per release + cells × per cell) predicts "
        f"{grew.predicted:.1f} s for {big}; measured {grew.measured:.1f} s, {grew.excess:+.0%}: "
        + ("linear (within the ~10 % by which warm runs of one matrix differ)." if grew.linear else
           "faster than linear." if grew.excess > 0 else "slower than linear: the larger matrix amortises more."),
        "",
        within,
    ]


def recording_line(recordings: Sequence[Recording], recorded_now: int) -> str:
    """How long recording the added API versions took, in this run or when the cache got them."""
    if not recordings:
        return "Every API version has committed cassettes: nothing recorded."
    each = ", ".join(f"{rec.api} {rec.seconds:.0f} s" for rec in recordings)
    dates = ", ".join(sorted({rec.recorded for rec in recordings}))
    cached = (f"from {CACHE.relative_to(ROOT)} (keyed by the harness's and contracts' source and the recorder's "
              f"pins), recorded {dates}")
    when = ("all in this run" if recorded_now == len(recordings) else
            f"{recorded_now} in this run, the others {cached}" if recorded_now else cached)
    return (f"Recording the {len(recordings)} API versions without committed cassettes against localstripe, "
            f"one `nox -s \"record(V)\"` each with its virtualenv: {sum(r.seconds for r in recordings):.0f} s "
            f"({each}), {when}.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warm-runs", type=int, default=3, help="warm runs of nox -s compat; the median is reported")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold run")
    parser.add_argument("--fresh-clone", action="store_true", help="also a new clone with empty caches")
    parser.add_argument("--iterations", type=int, default=100, help="per-request benchmark iterations")
    parser.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    parser.add_argument("--large", nargs="?", const=(12, 10), type=parse_size, metavar="RxA",
                        help="instead: time warm runs from half of RxA (the project's) to RxA (default 12x10) "
                             "in a scratch copy; 2x2 for a quick trial")
    args = parser.parse_args()
    if args.warm_runs < 1:
        parser.error(f"--warm-runs must be at least 1 (a median of no runs is no figure), got {args.warm_runs}")
    if args.large:
        return growth(args.large, args.warm_runs, args.write)
    libs, apis = MATRIX.stripe, MATRIX.api_versions
    cells = len(libs) * len(apis)
    runs: list[Measured] = []
    speed = [machine_speed()]

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
    column = {n: sub_matrix(libs, apis[:n], f"warm, {len(libs)} × {n}") for n in sub_sizes(len(apis))}
    row = {n: sub_matrix(libs[:n], apis, f"warm, {n} × {len(apis)}") for n in sub_sizes(len(libs))}
    runs += [*column.values(), *row.values()]
    walls = {(len(libs), len(apis)): median, **{(len(libs), n): m.wall for n, m in column.items()},
             **{(n, len(apis)): m.wall for n, m in row.items()}}
    fixed, per_release, per_cell = fit_within(walls, len(libs), len(apis))
    requests = per_request(args.iterations)
    speed.append(machine_speed())

    floor = requests["floor (canned, in process)"]
    storm = median - no_storm.wall
    lines = [
        f"## Main job wall time ({stamp()}, {len(os.sched_getaffinity(0))} cores, "
        f"`python benchmarks/bench_matrix.py`)",
        "",
        f"**Warm `nox -s compat`, {len(libs)} × {len(apis)} = {cells} cells: median {median:.1f} s** of "
        f"{len(warm)} ({', '.join(f'{m.wall:.1f}' for m in warm)})"
        + (f"; cold {runs[0].wall:.1f} s." if not args.no_cold else "; cold not measured in this run."),
        f"The machine's speed (two 20-million-step Python loops at once, `machine_speed()`): {speed[0]:.2f} s "
        f"before the runs, {speed[1]:.2f} s after (0.66 s at the quietest seen).",
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
        f"{fixed + 12 * per_release + 120 * per_cell:.0f} s (`--large` measures it: \"Growth of the warm matrix\").",
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
