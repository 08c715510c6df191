"""Progress for long commands: what is running and how far, on stderr, only where someone watches.

On a terminal a rich progress bar; elsewhere (CI logs, pipes, tests) nothing, unless
asked with ``stripe-compat --progress`` or ``STRIPE_COMPAT_PROGRESS=1``; ``0`` or
``--no-progress`` silences it on a terminal too. Progress never goes to stdout, so
``--json`` output stays parseable.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress

#: "1" shows progress even without a terminal, "0" never; unset: only on a terminal.
ENV = "STRIPE_COMPAT_PROGRESS"


def wanted() -> bool:
    """Whether to show progress: the environment's choice, else whether stderr is a terminal."""
    choice = os.environ.get(ENV, "")
    if choice in ("0", "1"):
        return choice == "1"
    return sys.stderr.isatty()


class Tracker:
    """One task's progress: :meth:`doing` names the current step, :meth:`done` counts one finished."""

    def __init__(self, bar: Progress | None, description: str, total: int | None) -> None:
        self._bar, self._description = bar, description
        self._task = bar.add_task(description, total=total) if bar is not None else None

    def doing(self, what: str) -> None:
        """Show what is running now (``to 16.1.0@2026-10-28.endive``)."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=f"{self._description}: {what}")

    def done(self, steps: int = 1) -> None:
        """Count ``steps`` more as finished."""
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, steps)

    def say(self, line: str) -> None:
        """A line that stays above the bar (shown only when progress is)."""
        if self._bar is not None:
            self._bar.console.print(line, highlight=False, markup=False)


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Tracker]:
    """A progress bar for ``total`` steps (a spinner when unknown), or a silent tracker."""
    if not wanted():
        yield Tracker(None, description, total)
        return
    # Imported here: every command starts faster, and only a watched one draws.
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=False,
    )
    with bar:
        tracker = Tracker(bar, description, total)
        yield tracker
        tracker.doing("done")
