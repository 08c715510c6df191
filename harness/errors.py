"""Every error the harness raises on purpose.

    HarnessError
    ├── ConfigError (also ValueError)      bad option or argument, unknown version         exit 2
    │   └── ConfigFileError                a file the run reads is wrong (pyproject, contract)  exit 4
    ├── BackendError                       a backend could not be started or reached
    │   └── BackendUnavailable             a backend this machine cannot run (no Docker, no key)
    ├── CassetteError                      a cassette is missing, stale or unreadable
    │   ├── DamagedCassette                a cassette file cannot be read as one            exit 4
    │   │   └── MissingBase                a shared base the cassette refers to is not there
    │   └── CassetteMiss                   a request the cassette has no recording for
    └── ContractViolation (also AssertionError)  a payload does not match its API version's contract

Each message says what happened and what to do next. ``exit_code`` is what the command
line exits with: 2 for bad usage, 4 for a configuration or data file that must be fixed. Errors keep their fields and
pickle through ``__reduce__`` so that pytest-xdist workers report them intact.
"""

from __future__ import annotations

from typing import Any


class HarnessError(Exception):
    """Root of the harness's own errors."""

    exit_code = 2


class ConfigError(HarnessError, ValueError):
    """Raised for invalid configuration: the message names the value and the valid choices."""


class ConfigFileError(ConfigError):
    """Raised when a file the run reads (pyproject.toml, a contract) is wrong; ``path`` names it."""

    exit_code = 4

    def __init__(self, message: str, path: object) -> None:
        self.path = path
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.path))


class BackendError(HarnessError):
    """Raised when a Stripe backend cannot be started, reached or reset."""


class BackendUnavailable(BackendError):
    """Raised when a backend cannot run on this machine; the message says how to proceed."""


class CassetteError(HarnessError):
    """Raised when a cassette is missing, unreadable, or recorded for another API version."""


class DamagedCassette(CassetteError):
    """Raised when a cassette file is not a readable cassette; the message says how to restore it."""

    exit_code = 4

    def __init__(self, path: object, problem: str, fix: str) -> None:
        self.path, self.problem, self.fix = path, problem, fix
        super().__init__(f"Cassette {path} is damaged: {problem}. {fix}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.problem, self.fix))


class MissingBase(DamagedCassette):
    """Raised when a cassette refers to a shared base its API version folder lacks (deleted, or the cassette moved)."""


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
