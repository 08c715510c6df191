"""Stop this process when the one that started it goes away.

nox (or a CI runner, or ``stripe-compat record``) starts pytest as a child. Killing only
the parent used to leave pytest recording on its own: it rewrote 26 cassettes after nox
had exited. While :func:`stop_with_parent` is active, the parent's death raises
:class:`ParentExited` in the scenario running (see :class:`Lifeline`), so the run unwinds
like Ctrl-C: the scenario writes nothing, fixtures close their servers, and the process
exits. It is a KeyboardInterrupt because an integration's ``except Exception`` around a
Stripe call must not swallow it and let the scenario, and its recording, carry on.

On Linux the kernel reports the death at once (``prctl(PR_SET_PDEATHSIG)``); elsewhere a
daemon thread notices the parent id change within :data:`POLL_SECONDS`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

#: The signal the parent's death is turned into; it is also what ``kill`` sends by default.
SIGNAL = signal.SIGTERM
POLL_SECONDS = 0.5
_MESSAGE = "the process that started this run exited (or sent SIGTERM); stopping, recording nothing more"
_PR_SET_PDEATHSIG = 1


class ParentExited(KeyboardInterrupt):
    """Raised in the main thread when the process that started this one has gone (or sent SIGTERM)."""


def _prctl_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` when the parent dies (0 clears it); False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int, stopped: threading.Event) -> None:
    while not stopped.wait(POLL_SECONDS):
        if os.getppid() != parent:
            os.kill(os.getpid(), SIGNAL)
            return


class Lifeline:
    """Whether the parent is gone, and where its death may interrupt the main thread.

    Raising at an arbitrary point would cut through pytest's own setup and teardown
    (whose finalizers then fail with tracebacks of their own), so the death only raises
    inside :meth:`interruptible` (a scenario's body). Elsewhere it is noted, and the next
    :meth:`interruptible` raises at once; code about to write checks :attr:`gone` first.
    """

    def __init__(self) -> None:
        self.gone = False
        self._armed = False

    def parent_gone(self) -> None:
        self.gone = True
        if self._armed:
            raise ParentExited(_MESSAGE)

    @contextlib.contextmanager
    def interruptible(self) -> Iterator[None]:
        """While inside, the parent's death raises :class:`ParentExited` here."""
        if self.gone:
            raise ParentExited(_MESSAGE)
        self._armed = True
        try:
            yield
        finally:
            self._armed = False


@contextlib.contextmanager
def stop_with_parent() -> Iterator[Lifeline]:
    """While active, the parent's death (or a SIGTERM) is reported to the :class:`Lifeline` it yields.

    Outside the main thread, or when someone else already handles SIGTERM, the lifeline
    never fires: the process then behaves as it did without one.
    """
    line = Lifeline()
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(SIGNAL) is not signal.SIG_DFL:
        yield line
        return
    parent = os.getppid()

    def handler(signum: int, frame: FrameType | None) -> None:
        line.parent_gone()

    signal.signal(SIGNAL, handler)
    stopped = threading.Event()
    if not _prctl_death_signal(SIGNAL):
        threading.Thread(target=_watch, args=(parent, stopped), name="stripe-compat-lifeline", daemon=True).start()
    try:
        if os.getppid() != parent:  # it died before the kernel was asked to tell us
            line.parent_gone()
        yield line
    finally:
        stopped.set()
        _prctl_death_signal(0)
        signal.signal(SIGNAL, signal.SIG_DFL)
