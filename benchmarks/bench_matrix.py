"""Wall time of the main job, ``nox -s compat``, cold (new virtualenvs) and warm (reused).

Prints the figures and, with --write, records them in benchmarks/RESULTS.md. Cold
means every cell's virtualenv is created and filled again (``--reuse-venv=never``);
packages come from uv's cache or the index. Warm reuses the virtualenvs, and is measured
both as `nox -s compat` (cells one after another) and as `nox -t compat -j auto` (nox's
--parallel: one cell per CPU at once, the verdict after the last). --breakdown
adds two warm runs that show where a warm run's time goes: collection only (nox,
interpreter, imports, pytest start-up) and every scenario but the 10,000-delivery storm.
--fresh-clone is the README's main command as a new user meets it: a git clone of this
checkout, an empty uv package cache (every wheel from the index), a new venv, `pip install
'nox[uv]' && nox -s compat`, all timed together.

    python benchmarks/bench_matrix.py --cold --warm --breakdown --fresh-clone --write
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_md import stamp, write_section

ROOT = Path(__file__).resolve().parents[1]
_SESSION = re.compile(r"Session compat\(\S+\) was successful")


def run_compat(reuse: str, selection: tuple[str, ...], pytest_args: tuple[str, ...]) -> tuple[float, int, str]:
    """Run the main job once; returns (wall seconds, cells run, the verdict line)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "nox", *selection, f"--reuse-venv={reuse}", "--", *pytest_args],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    return _judged(proc, time.perf_counter() - started, pytest_args)


def run_fresh_clone() -> tuple[float, int, str]:
    """The README's main command in a new clone with empty package caches."""
    with tempfile.TemporaryDirectory(prefix="stripe-compat-fresh-") as tmp:
        clone, venv = Path(tmp) / "clone", Path(tmp) / "venv"
        env = {**os.environ, "UV_CACHE_DIR": f"{tmp}/uv-cache", "PIP_NO_CACHE_DIR": "1",
               "PATH": f"{venv}/bin:{os.environ['PATH']}"}
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        started = time.perf_counter()
        command = f"{sys.executable} -m venv {venv} && pip install --quiet 'nox[uv]' && nox -s compat"
        proc = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True,
                              check=False)
        return _judged(proc, time.perf_counter() - started, ())


def _judged(
    proc: subprocess.CompletedProcess[str], wall: float, pytest_args: tuple[str, ...]
) -> tuple[float, int, str]:
    """(wall seconds, cells run, the verdict line), or exit when the run failed."""
    output = proc.stdout + proc.stderr
    cells = len(_SESSION.findall(output))
    # A collection-only run runs no scenario, which the verdict rightly calls a failure.
    failed = cells == 0 if "--collect-only" in pytest_args else proc.returncode != 0
    if failed:
        print(output[-4000:], file=sys.stderr)
        msg = f"nox -s compat failed (exit {proc.returncode}); figures would be meaningless"
        raise SystemExit(msg)
    tail = "\n".join(line for line in output.splitlines() if "cells green" in line)
    return wall, cells, tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", action="store_true", help="measure with new virtualenvs")
    parser.add_argument("--warm", action="store_true", help="measure with reused virtualenvs")
    parser.add_argument("--breakdown", action="store_true", help="also warm: collection only, and without the storm")
    parser.add_argument("--fresh-clone", action="store_true", help="a new clone, empty caches, the README command")
    parser.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = parser.parse_args()
    if not (args.cold or args.warm or args.breakdown or args.fresh_clone):
        parser.error("choose --cold, --warm, --breakdown, --fresh-clone or several")
    lines = [
        f"## Main job wall time ({stamp()}, {len(os.sched_getaffinity(0))} cores)",
        "",
        "| run | wall s | cells | mean s per cell | verdict |",
        "|---|---|---|---|---|",
    ]
    main_job, parallel = ("-s", "compat"), ("-t", "compat", "-j", "auto")
    runs = (
        ("cold", "never", args.cold, main_job, ()),
        ("warm", "yes", args.warm, main_job, ()),
        ("warm, one cell per CPU at once: `nox -t compat -j auto`", "yes", args.warm, parallel, ()),
        ("warm, collection only (start-up)", "yes", args.breakdown, main_job, ("--collect-only", "-q")),
        ("warm, all but the storm", "yes", args.breakdown, main_job, ("-k", "not test_storm")),
    )
    measured = [
        (label, run_compat(reuse, selection, pytest_args))
        for label, reuse, wanted, selection, pytest_args in runs
        if wanted
    ]
    if args.fresh_clone:
        label = "fresh clone, empty package cache: `pip install 'nox[uv]' && nox -s compat`"
        measured.append((label, run_fresh_clone()))
    for label, (wall, cells, verdict) in measured:
        row = f"| {label} | {wall:.1f} | {cells} | {wall / max(cells, 1):.1f} | {verdict.strip()} |"
        print(row)
        lines.append(row)
    if args.write:
        write_section("## Main job wall time", "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
