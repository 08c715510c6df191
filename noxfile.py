"""Sessions for stripe-compat. The matrix is read from pyproject.toml, nowhere else.

    nox -s compat                          every cell, replayed from cassettes, offline, then the verdict
    nox -t compat -j auto                  the same, one cell per CPU at once (nox's --parallel)
    nox -s "compat(16.1.0@2025-03-31.basil)"   one cell
    nox -t stripe-16.1.0                   every cell of one release (or api-2025-03-31.basil: one API version)
    nox -s compat -- -k lazy               arguments after -- reach pytest
    nox -s tests                           the harness's own tests
    nox -s "record(2025-03-31.basil)"      re-record one API version's cassettes
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path

import nox

nox.needs_version = ">=2026.8.17"  # allow_parallel= and --parallel
nox.options.default_venv_backend = "uv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["compat"]

_TOOL = nox.project.load_toml("pyproject.toml")["tool"]["stripe-compat"]
MATRIX = _TOOL["matrix"]
#: Tagged so that a row or column of the matrix is one `-t`: `nox -t stripe-16.1.0`, `nox -t api-2025-03-31.basil`.
CELLS = [
    nox.param(lib, api, id=f"{lib}@{api}", tags=[f"stripe-{lib}", f"api-{api}"])
    for lib in MATRIX["stripe"]
    for api in MATRIX["api_versions"]
]
API_VERSIONS = [nox.param(api, id=api) for api in MATRIX["api_versions"]]
RESULTS = ".stripe-compat/results"
#: Identifies this nox invocation, so the report tells its cells from stale files; set in
#: the environment so that the processes nox --parallel starts for the cells share it.
RUN_ID = os.environ.setdefault("STRIPE_COMPAT_RUN_ID", f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
#: Cells are short-lived processes: compiling every module on every start doubled a
#: warm run where PYTHONDONTWRITEBYTECODE is set, so our own venvs keep bytecode.
BYTECODE: dict[str, str | None] = {"PYTHONDONTWRITEBYTECODE": None}
XDIST = ["-n", str(MATRIX.get("xdist_workers", 0))] if MATRIX.get("xdist_workers") else []


def install(session: nox.Session, *specs: str) -> None:
    """``session.install`` unless this virtualenv already holds exactly these specs.

    The harness is installed editable, so code changes need no reinstall; a change to
    pyproject.toml (dependencies, entry points) or to the specs does. Skipping the
    no-op install is what makes a warm matrix run fast: uv still spends a second
    rebuilding the editable wheel when asked.
    """
    stamp = hashlib.sha256("\n".join([*specs, Path("pyproject.toml").read_text()]).encode()).hexdigest()
    marker = Path(session.virtualenv.location) / ".stripe-compat-installed"
    if marker.is_file() and marker.read_text() == stamp:
        return
    session.install(*specs, env={"UV_COMPILE_BYTECODE": "1"})
    marker.write_text(stamp)


@nox.session(tags=["compat"], allow_parallel=True)
@nox.parametrize(("stripe", "api"), CELLS)
def compat(session: nox.Session, stripe: str, api: str) -> None:
    """One matrix cell: the billing scenarios replayed from cassettes, stripe==STRIPE pinned to API."""
    # Under --parallel each cell runs alone and cannot queue the verdict (nox raises
    # ValueError); `-t compat` selects it instead, and nox runs it once no cell is
    # running, whatever their outcome.
    with contextlib.suppress(ValueError):
        session.notify("matrix_report")
    install(session, "-e", ".", f"stripe=={stripe}")
    session.run(
        "pytest", "--pyargs", "harness.scenarios",
        "--stripe-backend=replay", f"--stripe-api-version={api}",
        f"--stripe-results={RESULTS}/{stripe}@{api}.json",
        f"--junitxml=.stripe-compat/junit/{stripe}@{api}.xml", "-o", f"junit_suite_name=stripe-compat[{stripe}@{api}]",
        *XDIST, *session.posargs,
        env={"STRIPE_COMPAT_RUN_ID": RUN_ID, **BYTECODE},
    )


@nox.session(default=False, tags=["compat"])
def matrix_report(session: nox.Session) -> None:
    """The cells × pass/fail table for the cells of this run (run after compat by itself)."""
    install(session, "-e", ".")
    session.run("stripe-compat", "report", "--results", RESULTS, "--run-id", RUN_ID)


@nox.session(default=False, tags=["record"])
@nox.parametrize("api", API_VERSIONS)
def record(session: nox.Session, api: str) -> None:
    """Re-record API's cassettes: against STRIPE_API_KEY's test account if set, else localstripe."""
    session.install("-e", ".[localstripe]", f"stripe=={MATRIX['recording_stripe']}")
    backend = "live" if os.environ.get("STRIPE_API_KEY") else "localstripe"
    session.run(
        "pytest", "--pyargs", "harness.scenarios",
        f"--stripe-backend={backend}", "--record-mode=all", f"--stripe-api-version={api}",
        *session.posargs,
    )


@nox.session(default=False)
def tests(session: nox.Session) -> None:
    """The harness's own tests: fast, offline, localstripe started where a test needs it."""
    install(session, "-e", ".[localstripe,dev]")
    session.run("pytest", *session.posargs, env=BYTECODE)


@nox.session(default=False)
def lint(session: nox.Session) -> None:
    """ruff over the package, tests and this file."""
    session.install("ruff")
    session.run("ruff", "check", "harness", "tests", "noxfile.py")


@nox.session(default=False)
def upgrade(session: nox.Session) -> None:
    """Is an upgrade safe? ``nox -s upgrade -- --from 7.14.0@2023-10-16 --to 16.1.0@2026-10-28.endive``."""
    if not session.posargs:
        session.error("Name the cells: nox -s upgrade -- --from LIB@API --to LIB@API [--adapter module:Class]")
    install(session, "-e", ".", "uv")  # uv builds each cell's own venv
    session.run("stripe-compat", "upgrade", *session.posargs)


@nox.session(default=False)
def report(session: nox.Session) -> None:
    """Every report format for this run's cells: ``nox -s compat report`` or ``nox -s report -- --run-id ID``."""
    install(session, "-e", ".")
    args = session.posargs or ["--run-id", RUN_ID]
    session.run(
        "stripe-compat", "report", "--results", RESULTS, "--format", "all", "--out", ".stripe-compat/report", *args
    )
