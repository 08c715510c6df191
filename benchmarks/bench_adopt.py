"""An adopter's path from nothing to a verdict, as docs/adopting.md gives it, timed step by step.

In a temporary folder: a project holding only the naive example's app and adapter (the
code a team already has, plus the one class it writes), then the page's steps: install
stripe-compat from this checkout beside nox in a new virtualenv, configure pyproject.toml,
write the two-line noxfile, record (``nox -s "record(library-default)"``), the verdict
(``nox -s compat``) and the upgrade decision. Packages come from uv's cache or the index.
Prints each step's wall time and exit status; with --write, records them in RESULTS.md.

    python benchmarks/bench_adopt.py --write
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_md import stamp, write_section

ROOT = Path(__file__).resolve().parents[1]
NAIVE = ROOT / "examples" / "naive_integration"

PYPROJECT = """[tool.stripe-compat]
adapter = "naive.adapter:NaiveAdapter"
cassettes = "cassettes"

[tool.stripe-compat.matrix]
stripe = ["7.14.0", "16.1.0"]
api_versions = ["library-default", "2025-03-31.basil"]
recording_stripe = "16.1.0"

[tool.pytest.ini_options]
pythonpath = ["."]
"""
NOXFILE = "import nox\nfrom harness.nox_sessions import *  # noqa: F403\n"


def _run(command: str, cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done.returncode


def adopt(tmp: Path) -> list[tuple[str, str, float, int]]:
    """Every step: (what, command or file, wall seconds, exit status); files take no measurable time."""
    project, venv = tmp / "project", tmp / "venv"
    shutil.copytree(NAIVE / "naive", project / "naive", ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "STRIPE_COMPAT_RUN_ID")}
    env["PATH"] = f"{venv}/bin:{env['PATH']}"
    steps: list[tuple[str, str, float, int]] = []

    def command(what: str, line: str) -> None:
        steps.append((what, line, *_run(line, project, env)))

    def file(what: str, name: str, text: str) -> None:
        (project / name).write_text(text)
        steps.append((what, name, 0.0, 0))

    command("install", f"{sys.executable} -m venv {venv} && pip install --quiet 'nox[uv]' -e '{ROOT}[localstripe]'")
    steps.append(("write the adapter", "naive/adapter.py (copied)", 0.0, 0))
    file("configure", "pyproject.toml", PYPROJECT)
    file("import the sessions", "noxfile.py", NOXFILE)
    command("record", 'nox -s "record(library-default)"')
    command("verdict", "nox -s compat")
    command("upgrade", "nox -s upgrade -- --from 7.14.0@library-default --to 16.1.0@library-default")
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stripe-compat-adopt-") as tmp:
        steps = adopt(Path(tmp))
    to_verdict = sum(wall for what, _, wall, _ in steps if what in ("install", "record", "verdict"))
    lines = [
        f"## Adopting: the naive example from nothing to a verdict ({stamp()})",
        "",
        "`python benchmarks/bench_adopt.py`: docs/adopting.md's steps in a temporary folder. The verdict and",
        "the upgrade exit 1 on purpose: the naive integration breaks rules, and stripe 16 breaks it.",
        "",
        "| # | step | command or file | wall s | exit |",
        "|---|---|---|---|---|",
        *(f"| {n} | {what} | `{line}` | {wall:.1f} | {code} |" for n, (what, line, wall, code) in enumerate(steps, 1)),
        "",
        f"{len(steps)} steps; {to_verdict:.0f} s of commands from nothing to the verdict (install, record, verdict).",
    ]
    print("\n".join(lines))
    if args.write:
        write_section("## Adopting: the naive example", "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
