"""The shop's compatibility matrix, run like the harness's own: ``nox -s compat``.

The matrix is read from this folder's pyproject.toml. The harness is installed from
the checkout two levels up (a team writes ``stripe-compat`` or its own path instead),
the shop from this folder; both editable, so edits need no reinstall.

    nox -s compat                              every cell, replayed from cassettes/
    nox -t compat -j auto                      the same, one cell per CPU at once, the table after the last
    nox -s "compat(16.1.0@2025-03-31.basil)"   one cell
    nox -s "record(2025-03-31.basil)"          re-record one API version (localstripe, or STRIPE_API_KEY's test account)
"""

from __future__ import annotations

import contextlib
import os
import time

import nox

nox.needs_version = ">=2026.8.17"  # allow_parallel= and --parallel
nox.options.default_venv_backend = "uv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["compat"]

MATRIX = nox.project.load_toml("pyproject.toml")["tool"]["stripe-compat"]["matrix"]
#: Where the harness comes from; a team writes "stripe-compat" (or "stripe-compat==X.Y").
HARNESS = "../.."
RESULTS = ".stripe-compat/results"
#: Tells this run's cells from stale result files in the report (--parallel children inherit it).
RUN_ID = os.environ.setdefault("STRIPE_COMPAT_RUN_ID", f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")


@nox.session(tags=["compat"], allow_parallel=True)
@nox.parametrize(
    ("stripe", "api"),
    [nox.param(lib, api, id=f"{lib}@{api}") for lib in MATRIX["stripe"] for api in MATRIX["api_versions"]],
)
def compat(session: nox.Session, stripe: str, api: str) -> None:
    """One cell: the scenarios against the shop, stripe==STRIPE pinned to API, offline."""
    with contextlib.suppress(ValueError):  # under --parallel, `-t compat` queues the report instead
        session.notify("report")
    session.install("-e", HARNESS, "-e", ".", f"stripe=={stripe}")
    session.run(
        "pytest", "--pyargs", "harness.scenarios", "--stripe-backend=replay", f"--stripe-api-version={api}",
        f"--stripe-results={RESULTS}/{stripe}@{api}.json", *session.posargs,
        env={"STRIPE_COMPAT_RUN_ID": RUN_ID},
    )


@nox.session(default=False)
@nox.parametrize("api", [nox.param(api, id=api) for api in MATRIX["api_versions"]])
def record(session: nox.Session, api: str) -> None:
    """Re-record API's cassettes against STRIPE_API_KEY's test account if set, else localstripe."""
    session.install("-e", f"{HARNESS}[localstripe]", "-e", ".", f"stripe=={MATRIX['recording_stripe']}")
    backend = "live" if os.environ.get("STRIPE_API_KEY") else "localstripe"
    session.run(
        "pytest", "--pyargs", "harness.scenarios", f"--stripe-backend={backend}", "--record-mode=all",
        f"--stripe-api-version={api}", *session.posargs,
    )


@nox.session(default=False, tags=["compat"])
def report(session: nox.Session) -> None:
    """The cells × pass/fail table of this run (compat runs it after the last cell)."""
    session.install("-e", HARNESS)
    session.run("stripe-compat", "report", "--results", RESULTS, "--run-id", RUN_ID)
