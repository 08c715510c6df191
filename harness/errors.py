"""Every error the harness raises on purpose.

    HarnessError
    ├── ConfigError (also ValueError)      bad option, bad pyproject entry, unknown version
    ├── BackendError                       a backend could not be started or reached
    │   └── BackendUnavailable             a backend this machine cannot run (no Docker, no key)
    ├── CassetteError                      a cassette is missing, stale or unreadable
    │   └── CassetteMiss                   a request the cassette has no recording for
    └── ContractViolation (also AssertionError)  a payload does not match its API version's contract

Each message says what happened and what to do next. Errors keep their fields and
pickle through ``__reduce__`` so that pytest-xdist workers report them intact.
"""

from __future__ import annotations

from typing import Any


class HarnessError(Exception):
    """Root of the harness's own errors."""


class ConfigError(HarnessError, ValueError):
    """Raised for invalid configuration: the message names the value and the valid choices."""


class BackendError(HarnessError):
    """Raised when a Stripe backend cannot be started, reached or reset."""


class BackendUnavailable(BackendError):
    """Raised when a backend cannot run on this machine; the message says how to proceed."""


class CassetteError(HarnessError):
    """Raised when a cassette is missing, unreadable, or recorded for another API version."""


class CassetteMiss(CassetteError):
    """A request was made that the cassette holds no unplayed recording for.

    Keeps the cassette path, the request and the nearest recorded request so that the
    report can show all three.
    """

    def __init__(self, cassette: str, request: str, nearest: str, hint: str) -> None:
        self.cassette, self.request, self.nearest, self.hint = cassette, request, nearest, hint
        super().__init__(
            f"No recorded response for {request}\n"
            f"  cassette: {cassette}\n"
            f"  nearest recorded request: {nearest}\n"
            f"  {hint}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.cassette, self.request, self.nearest, self.hint))


class ContractViolation(HarnessError, AssertionError):
    """A Stripe payload broke the contract of the API version it was rendered in."""

    def __init__(self, summary: str, violations: list[str]) -> None:
        self.summary, self.violations = summary, violations
        super().__init__(summary + "".join(f"\n  - {v}" for v in violations))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.summary, self.violations))
