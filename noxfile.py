"""Sessions for stripe-compat. The matrix is read from pyproject.toml, nowhere else.

    nox -s compat                          every cell, replayed from cassettes, offline
    nox -s "compat(16.1.0@2025-03-31.basil)"   one cell
    nox -s compat -- -k lazy               arguments after -- reach pytest
    nox -s tests                           the harness's own tests
    nox -s "record(2025-03-31.basil)"      re-record one API version's cassettes
"""

from __future__ import annotations

import os
import time

import nox

nox.options.default_venv_backend = "uv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["compat"]

_TOOL = nox.project.load_toml("pyproject.toml")["tool"]["stripe-compat"]
MATRIX = _TOOL["matrix"]
CELLS = [
    nox.param(lib, api, id=f"{lib}@{api}") for lib in MATRIX["stripe"] for api in MATRIX["api_versions"]
]
API_VERSIONS = [nox.param(api, id=api) for api in MATRIX["api_versions"]]
RESULTS = ".stripe-compat/results"
#: Identifies this nox invocation, so the report tells this run's cells from stale files.
RUN_ID = os.environ.get("STRIPE_COMPAT_RUN_ID") or time.strftime("%Y%m%dT%H%M%S")
XDIST = ["-n", str(MATRIX.get("xdist_workers", 0))] if MATRIX.get("xdist_workers") else []


@nox.session(tags=["compat"])
@nox.parametrize(("stripe", "api"), CELLS)
def compat(session: nox.Session, stripe: str, api: str) -> None:
    """One matrix cell: the billing scenarios replayed from cassettes, stripe==STRIPE pinned to API."""
    session.notify("matrix_report")
    session.install("-e", ".", f"stripe=={stripe}")
    session.run(
        "pytest", "--pyargs", "harness.scenarios",
        "--stripe-backend=replay", f"--stripe-api-version={api}",
        f"--stripe-results={RESULTS}/{stripe}@{api}.json",
        *XDIST, *session.posargs,
        env={"STRIPE_COMPAT_RUN_ID": RUN_ID},
    )


@nox.session(default=False)
def matrix_report(session: nox.Session) -> None:
    """The cells × pass/fail table for the cells of this run (run after compat by itself)."""
    session.install("-e", ".")
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
    session.install("-e", ".[localstripe]")
    session.run("pytest", *session.posargs)


@nox.session(default=False)
def lint(session: nox.Session) -> None:
    """ruff over the package, tests and this file."""
    session.install("ruff")
    session.run("ruff", "check", "harness", "tests", "noxfile.py")
