"""Several matrix cells of one stripe release in one interpreter: ``pytest --stripe-api-versions=A,B,C``.

A cell's fixed cost (starting Python, importing stripe, which eagerly imports every
service in 10.x–12.x, and pytest's start-up) was a third of a warm matrix when each cell
was its own process. Here the process that has paid it forks one child per API version;
each child is a complete pytest run of one cell, as ``pytest --stripe-api-version=A``
would be: its own collection, its own ``--stripe-results`` file and ``--junitxml`` (where
``{cell}`` in any argument becomes ``LIB@API``), its own node ids, nothing shared with
the other cells but the already-imported modules. A fork rather than ``pytest.main`` in
a loop, so that no module state, stripe global or cached connection can pass from one
cell to the next.

Up to ``--stripe-jobs`` cells (default: all of them, up to four per CPU) run at once; the
output of each is printed whole when it finishes, in the order the cells finish.
"""

from __future__ import annotations

import gc
import importlib
import os
import pkgutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from .errors import ConfigError
from .lifeline import stop_with_parent
from .matrix import Cell, validate_api_version
from .validation import parse_count

#: What ``{cell}`` in an argument becomes for each cell: ``16.1.0@2025-03-31.basil``.
CELL_PLACEHOLDER = "{cell}"
API_VERSIONS_OPTION = "--stripe-api-versions"
JOBS_OPTION = "--stripe-jobs"


def parse_api_versions(text: str) -> list[str]:
    """``a,b,c`` as a list of API versions, each checked; an empty or repeated entry is a usage error."""
    versions = [part.strip() for part in text.split(",")]
    if not all(versions):
        msg = (f"{API_VERSIONS_OPTION} takes API versions separated by commas, "
               f"e.g. 2024-06-20,2025-03-31.basil; got {text!r}.")
        raise pytest.UsageError(msg)
    if len(set(versions)) != len(versions):
        msg = f"{API_VERSIONS_OPTION} names an API version twice ({text!r}); each cell runs once."
        raise pytest.UsageError(msg)
    try:
        return [validate_api_version(version) for version in versions]
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None


def parse_jobs(text: str) -> int:
    """``--stripe-jobs``: a whole number of cells at once, at least 1."""
    jobs = parse_count(text)
    if jobs is None:
        raise pytest.UsageError(f"{JOBS_OPTION} must be a whole number of at least 1, got {text!r}.")
    return jobs


_in_cell = False


def in_cell() -> bool:
    """True in a forked cell: it runs its one API version, whatever list the environment or ini names."""
    return _in_cell


def fill_cell(text: str, cell: Cell) -> str:
    """``{cell}`` in a file name or suite name becomes ``LIB@API``."""
    return text.replace(CELL_PLACEHOLDER, cell.id)


def _without_own_options(args: Sequence[str]) -> list[str]:
    """The invocation's arguments minus the options that only this runner reads."""
    kept, skip_next = [], False
    for arg in args:
        if skip_next:
            skip_next = False
        elif arg in (API_VERSIONS_OPTION, JOBS_OPTION):
            skip_next = True
        elif not arg.startswith((f"{API_VERSIONS_OPTION}=", f"{JOBS_OPTION}=")):
            kept.append(arg)
    return kept


def cell_args(args: Sequence[str], cell: Cell) -> list[str]:
    """The arguments of ``cell``'s own pytest run: the API version pinned, ``{cell}`` filled in."""
    own = [fill_cell(arg, cell) for arg in _without_own_options(args)]
    return [*own, f"--stripe-api-version={cell.api_version}"]


def check_per_cell_outputs(args: Sequence[str], results: str | None, cells: int) -> None:
    """Several cells writing one results or JUnit file would each overwrite the last: a usage error.

    ``results`` is ``--stripe-results`` from wherever it came (command line, environment, ini).
    """
    if cells < 2:
        return
    named = [arg for arg in args if arg.startswith(("--junitxml", "--junit-xml"))]
    for given in [*named, *([f"--stripe-results={results}"] if results else [])]:
        if CELL_PLACEHOLDER not in given:
            msg = (f"{given!r} would be written by every one of the {cells} cells; put {CELL_PLACEHOLDER} in the "
                   f"file name (e.g. --stripe-results=results/{CELL_PLACEHOLDER}.json) to get one file per cell.")
            raise pytest.UsageError(msg)


def warm_imports(args: Sequence[str]) -> None:
    """Import, once before forking, what every cell would import again: the plugin's fixture modules, the
    reference integration and, when the run is ``--pyargs harness.scenarios``, the scenario modules.

    All of them are the harness's own, which start no thread and open nothing at import,
    so a fork copies them safely (an adopter's integration is imported in each cell, as
    before). pytest's import hook is already installed here, so the scenarios' asserts are
    rewritten exactly as the cell's own collection would, which then finds them imported.
    """
    names = ["harness.webhooks.fixtures", "harness.reference.adapter"]
    if "harness.scenarios" in args:
        package = importlib.import_module("harness.scenarios")
        names += [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)
                  if m.name.startswith("test_")]
    for name in names:
        importlib.import_module(name)


def _run_child(args: list[str], cell: Cell, log: Path | None) -> None:
    """In the forked child: one cell's pytest run, then exit with its status. Never returns."""
    global _in_cell
    code = 3  # pytest's "internal error", should anything below fail before pytest decides
    try:
        _in_cell = True
        # A cell allocates millions of short-lived containers (17,000 webhook bodies parsed, every
        # response's StripeObjects): with the default 700 the cyclic collector ran ~300 times a
        # cell. Every 10,000 allocations it runs a third as often (~7% of a warm matrix), and
        # 10,000 allocations are still about a millisecond of a scenario's work.
        gc.set_threshold(10_000, 10, 10)
        for name, text in os.environ.items():  # STRIPE_COMPAT_RESULTS=results/{cell}.json, say
            if name.startswith("STRIPE_COMPAT_") and CELL_PLACEHOLDER in text:
                os.environ[name] = fill_cell(text, cell)
        # The parent's SIGTERM handler would stop the cell's own lifeline from arming.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if log is not None:
            fd = os.open(log, os.O_WRONLY | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.close(fd)
        code = int(pytest.main(args))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else int(pytest.ExitCode.INTERNAL_ERROR)  # killed by a signal


def run_cells(args: Sequence[str], stripe: str, api_versions: Sequence[str], jobs: int,
              results: str | None = None) -> int:
    """Run each API version as its own cell of ``stripe``; the first failing cell's exit status, else 0."""
    cells = [Cell(stripe, api) for api in api_versions]
    check_per_cell_outputs(args, results, len(cells))
    warm_imports(args)
    # What the parent holds is never garbage: frozen, it is left out of every cell's
    # collections (pytest forces several at the end of a run, once a full walk of the heap
    # each) and its pages are not copied into each child by the collector touching them.
    gc.freeze()
    capture = jobs > 1 and len(cells) > 1  # one at a time needs no capture: the terminal is the cell's
    codes: dict[Cell, int] = {}
    running: dict[int, tuple[Cell, Path | None]] = {}
    pending = list(cells)
    with tempfile.TemporaryDirectory(prefix="stripe-compat-cells-") as tmp, stop_with_parent() as lifeline:
        try:
            with lifeline.interruptible():
                while pending or running:
                    while pending and len(running) < jobs:
                        cell = pending.pop(0)
                        log = Path(tmp, f"{cell.id}.log") if capture else None
                        if log is not None:
                            log.touch()
                        sys.stdout.flush()
                        sys.stderr.flush()
                        pid = os.fork()
                        if pid == 0:
                            _run_child(cell_args(args, cell), cell, log)
                        running[pid] = (cell, log)
                    pid, status = os.wait()
                    cell, log = running.pop(pid)
                    codes[cell] = _exit_code(status)
                    if log is not None:
                        sys.stdout.write(log.read_text(errors="replace"))
                        sys.stdout.flush()
        finally:  # interrupted: the cells stop too, each the way a cell stops when its parent goes
            for pid in running:
                os.kill(pid, signal.SIGTERM)
            for pid in running:
                os.waitpid(pid, 0)
    return next((codes[cell] for cell in cells if codes[cell]), 0)


def default_jobs(cells: int) -> int:
    """Every cell at once, up to four per CPU this process may use.

    Two at a time on 2 cores left one core idle while a release's fifth cell ran alone;
    started together, the cells share the cores to the end (each is ~100 MiB).
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cells, 4 * cpus))
