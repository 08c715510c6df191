"""The nox sessions of stripe-compat, for any project: ``from harness.nox_sessions import *`` in a noxfile.

The matrix and settings are read from the pyproject.toml beside the noxfile (nox
changes into the noxfile's folder before importing it), so the same sessions serve
this checkout and every adopter's project:

    nox -s compat                          every cell, replayed from cassettes, offline, then the verdict
    nox -t compat -j auto                  the same, one release's session per CPU at once (nox's --parallel)
    nox -s "compat(16.1.0@2025-03-31.basil)"   one cell
    nox -t stripe-16.1.0                   every cell of one release (or api-2025-03-31.basil: one API version)

``compat`` is one session, and one virtualenv, per stripe release: its interpreter imports
stripe and the harness once and forks a pytest run per API version (``--stripe-api-versions``,
:mod:`harness.cell_runner`), so every cell keeps its own results and JUnit file.
    nox -s compat -- -k lazy               arguments after -- reach pytest
    nox -s "record(2025-03-31.basil)"      re-record one API version's cassettes
    nox -s upgrade -- --from A@X --to B@Y  is this upgrade safe?
    nox -s compat report                   and every report format

Each cell venv gets stripe-compat from where the project has it
(:mod:`harness.install_source`) and the project itself when it is installable.

Virtualenvs are made by uv where it is installed and by virtualenv otherwise
(``-db virtualenv`` forces it); the Python is explicit (``[tool.stripe-compat] python``,
else the one nox runs on) and ``--force-python 3.13`` replaces it. ``--no-venv`` runs the
sessions in the environment nox runs from, installing nothing: a cell then runs only
when that environment holds the cell's stripe release, and says so when it does not.
Arguments after ``--`` are pytest's: they reach the cells, and the report sessions take
only the ones ``stripe-compat report`` understands.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import nox
from nox.command import CommandFailed

from .errors import ConfigError
from .install_source import harness_install_args, install_fingerprint, project_install_args
from .matrix import LIBRARY_DEFAULT, Cell, load_matrix
from .report.record import write_install_failure

__all__ = ["compat", "matrix_report", "record", "report", "upgrade"]


def __dir__() -> list[str]:
    return __all__


nox.needs_version = ">=2026.8.17"  # allow_parallel= and --parallel
#: uv where it is installed, else virtualenv (which nox always has): never "No backends present".
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["compat"]

PROJECT = Path.cwd()
try:
    MATRIX = load_matrix(PROJECT / "pyproject.toml")
except ConfigError as exc:  # a noxfile that cannot load: say why, without nox's traceback
    print(f"nox: {exc}", file=sys.stderr)
    raise SystemExit(exc.exit_code) from None
with (PROJECT / "pyproject.toml").open("rb") as _f:
    #: The interpreter of every session, explicit so that ``nox --force-python X`` can replace it.
    PYTHON = str(tomllib.load(_f).get("tool", {}).get("stripe-compat", {}).get("python")
                 or f"{sys.version_info.major}.{sys.version_info.minor}")
#: One session per stripe release runs all its API versions; tagged so that `nox -t stripe-16.1.0` is one row.
RELEASES = [nox.param(lib, id=lib, tags=[f"stripe-{lib}"]) for lib in MATRIX.stripe]
API_VERSIONS = [nox.param(api, id=api) for api in MATRIX.api_versions]
RESULTS = ".stripe-compat/results"
#: Identifies this nox invocation, so the report tells its cells from stale files; set in
#: the environment so that the processes nox --parallel starts for the cells share it.
RUN_ID = os.environ.setdefault("STRIPE_COMPAT_RUN_ID", f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
#: Cells are short-lived processes: compiling every module on every start doubled a
#: warm run where PYTHONDONTWRITEBYTECODE is set, so our own venvs keep bytecode.
BYTECODE: dict[str, str | None] = {"PYTHONDONTWRITEBYTECODE": None}
#: The scenarios' scratch folders (pytest's tmp_path, the integration's SQLite files in it) in
#: memory where there is a tmpfs and TMPDIR is not already chosen: creating and closing the
#: ~40 databases of a cell waited ~1 s on the disk's fsyncs. The integration runs the same
#: code with the same fsync calls; only the throwaway folder is answered from memory.
SCRATCH = {"TMPDIR": "/dev/shm"} if "TMPDIR" not in os.environ and os.access("/dev/shm", os.W_OK) else {}
XDIST = ["-n", str(MATRIX.xdist_workers)] if MATRIX.xdist_workers else []
#: pytest-xdist is an extra of stripe-compat: a cell installs it only when the matrix asks for workers.
CELL_EXTRAS = ("xdist",) if MATRIX.xdist_workers else ()


def install(session: nox.Session, *specs: str, silent: bool | None = None) -> None:
    """``session.install`` unless this virtualenv already holds exactly these specs.

    The harness and project are installed editable where they can be, so code changes
    need no reinstall; a change to pyproject.toml (dependencies, entry points) or to
    the specs does. Skipping the no-op install is what makes a warm matrix run fast:
    uv still spends a second rebuilding an editable wheel when asked.
    """
    if session.venv_backend == "none":  # --no-venv: nox's own environment is used as it is
        return
    stamp = install_fingerprint(PROJECT, list(specs))
    marker = Path(session.virtualenv.location) / ".stripe-compat-installed"
    if marker.is_file() and marker.read_text() == stamp:
        return
    session.install(*specs, env={"UV_COMPILE_BYTECODE": "1"}, silent=silent)
    marker.write_text(stamp)


def install_cell(
    session: nox.Session, *extra: str, extras: tuple[str, ...] = (), silent: bool | None = None
) -> None:
    """Install stripe-compat (with ``extras``), the project when installable, and ``extra`` specs."""
    install(session, *harness_install_args(PROJECT, extras), *project_install_args(PROJECT), *extra, silent=silent)


class _ErrorLog(logging.Handler):
    """What nox logs at ERROR: the output of a silent command that failed (the installer's message)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextlib.contextmanager
def _nox_errors() -> Iterator[_ErrorLog]:
    log, logger = _ErrorLog(), logging.getLogger("nox")
    logger.addHandler(log)
    try:
        yield log
    finally:
        logger.removeHandler(log)


def install_release(session: nox.Session, stripe: str, apis: list[str]) -> None:
    """Install a release's virtualenv; if the installer fails, leave a result saying so for each cell, then fail.

    Without those files the report could only call the cells "not run", and a run whose
    only other cells passed would look like a partial success instead of cells that
    cannot be tested at all.
    """
    with _nox_errors() as log:
        try:
            install_cell(session, f"stripe=={stripe}", extras=CELL_EXTRAS, silent=True)
        except CommandFailed:
            for api in apis:
                target = PROJECT / RESULTS / f"{stripe}@{api}.json"
                write_install_failure(target, stripe, api, "\n".join(log.lines), RUN_ID)
            session.error(f"could not install stripe=={stripe} (the installer's message is above); "
                          f"{RESULTS}/{stripe}@<API version>.json records it for the verdict")


def require_stripe(session: nox.Session, stripe: str) -> None:
    """Under ``--no-venv``, run only where the environment already holds stripe-compat and ``stripe==X``."""
    if session.venv_backend != "none":
        return
    probe = "import importlib.metadata as m; print(m.version('stripe-compat'), m.version('stripe'))"
    try:
        found = str(session.run("python", "-c", probe, silent=True) or "").split()
    except nox.command.CommandFailed:
        session.error("--no-venv runs in the environment nox runs from, which lacks stripe-compat or stripe: "
                      "pip install -e . there (or drop --no-venv to let each cell build its own).")
    if found[-1:] != [stripe]:
        have = found[-1] if found else "none"
        session.skip(f"--no-venv: this environment has stripe {have}, the cell needs stripe=={stripe}; run the "
                     f"cells of stripe {have} (nox --no-venv -t stripe-{have}) or drop --no-venv")


def report_args(session: nox.Session) -> list[str]:
    """This run's id, then the posargs when they are ``stripe-compat report``'s own.

    ``nox -s compat report -- -k lazy`` meant ``-k lazy`` for the cells' pytest: the
    report neither takes it nor loses its run id to it.
    """
    args = list(session.posargs)
    if args and not _all_report_options(session, args):
        session.log(f"report: leaving {shlex.join(args)} to the cells (not all are report options)")
        args = []
    return args if "--run-id" in args else ["--run-id", RUN_ID, *args]


def _all_report_options(session: nox.Session, args: list[str]) -> bool:
    # Asked of the session's own stripe-compat: nox's environment need not hold its dependencies.
    probe = ("import sys; from harness.cli import build_parser; "
             "print(len(build_parser().parse_known_args(['report', *sys.argv[1:]])[1]))")
    try:
        unknown = session.run("python", "-c", probe, *args, silent=True)
    except nox.command.CommandFailed:  # a report option with a bad value: the report itself will say so
        return True
    return str(unknown).strip() == "0"


def run_cells(session: nox.Session, stripe: str, apis: list[str]) -> None:
    """The scenarios of every cell ``stripe`` x ``apis`` in one interpreter, each cell its own pytest run and files."""
    # Under --parallel each session runs alone and cannot queue the verdict (nox raises
    # ValueError); `-t compat` selects it instead, and nox runs it once no cell is
    # running, whatever their outcome.
    with contextlib.suppress(ValueError):
        session.notify("matrix_report")
    require_stripe(session, stripe)
    install_release(session, stripe, apis)
    session.run(
        "pytest", "--pyargs", "harness.scenarios", "--stripe-backend=replay", f"--stripe-api-versions={','.join(apis)}",
        f"--stripe-results={RESULTS}/{{cell}}.json",
        "--junitxml=.stripe-compat/junit/{cell}.xml", "-o", "junit_suite_name=stripe-compat[{cell}]",
        *XDIST, *session.posargs,
        env={"STRIPE_COMPAT_RUN_ID": RUN_ID, **BYTECODE, **SCRATCH},
    )


@nox.session(python=PYTHON, tags=["compat"], allow_parallel=True)
@nox.parametrize("stripe", RELEASES)
def compat(session: nox.Session, stripe: str) -> None:
    """Every API version of stripe==STRIPE, replayed from cassettes: one interpreter, one result per cell."""
    run_cells(session, stripe, list(MATRIX.api_versions))


def _cell_session(cell: Cell) -> None:
    """``compat(LIB@API)``: one cell, in a virtualenv of its own; `nox -t api-…` selects one API version's cells."""

    def one_cell(session: nox.Session) -> None:
        run_cells(session, cell.stripe, [cell.api_version])

    one_cell.__doc__ = f"One matrix cell: the billing scenarios replayed from cassettes, stripe=={cell.stripe} " \
                       f"pinned to {cell.api_version}."
    # Named, not parametrized, so that `nox -s compat` (the releases) does not select the cells too.
    nox.session(name=f"compat({cell.id})", python=PYTHON, default=False, tags=[f"api-{cell.api_version}"],
                allow_parallel=True)(one_cell)


for _cell in MATRIX.cells:
    _cell_session(_cell)


@nox.session(python=PYTHON, default=False, tags=["compat"])
def matrix_report(session: nox.Session) -> None:
    """The cells × pass/fail table for the cells of this run (run after compat by itself)."""
    install_cell(session)
    session.run("stripe-compat", "report", "--results", RESULTS, *report_args(session))


@nox.session(python=PYTHON, default=False, tags=["record"])
@nox.parametrize("api", API_VERSIONS)
def record(session: nox.Session, api: str) -> None:
    """Re-record API's cassettes: against STRIPE_API_KEY's test account if set, else localstripe."""
    # library-default is a different version per release: each release records its own.
    releases = MATRIX.stripe if api == LIBRARY_DEFAULT else (MATRIX.recording_stripe,)
    backend = "live" if os.environ.get("STRIPE_API_KEY") else "localstripe"
    for release in releases:
        require_stripe(session, release)
        install_cell(session, f"stripe=={release}", extras=("localstripe",))
        session.run(
            "pytest", "--pyargs", "harness.scenarios",
            f"--stripe-backend={backend}", "--stripe-record-mode=all", f"--stripe-api-version={api}",
            *session.posargs, success_codes=[0, 1],  # failing scenarios are recorded too, and summarised
        )


@nox.session(python=PYTHON, default=False)
def upgrade(session: nox.Session) -> None:
    """Is an upgrade safe? ``nox -s upgrade -- --from 7.14.0@2023-10-16 --to 16.1.0@2026-10-28.endive``."""
    if not session.posargs:
        session.error("Name the cells: nox -s upgrade -- --from LIB@API --to LIB@API [--adapter module:Class]")
    install_cell(session, "uv")  # uv builds each cell's own venv
    session.run("stripe-compat", "upgrade", *session.posargs)


@nox.session(python=PYTHON, default=False)
def report(session: nox.Session) -> None:
    """Every report format for this run's cells: ``nox -s compat report`` or ``nox -s report -- --run-id ID``."""
    install_cell(session)
    session.run(
        "stripe-compat", "report", "--results", RESULTS, "--format", "all", "--out", ".stripe-compat/report",
        *report_args(session),
    )
