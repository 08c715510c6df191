"""Assertions about the Stripe account's state, relaxed on a backend that keeps none.

stripe-mock validates every request against Stripe's spec but remembers nothing: a
created customer is never listed, a deleted one still reads back, an invoice stays a
draft. A scenario therefore says which of its assertions are about the account's state,
and only those are relaxed there; everything else (the requests the integration made,
the integration's own state, stripe-mock's 400s, contract violations) still fails it.

Two ways to say it, both through the plugin:

* ``with stripe_stateful("the account holds one customer for the user"): assert ...``
  (the fixture): only that block is relaxed, and the scenario goes on, so its later
  requests are still validated;
* ``@pytest.mark.stripe_stateful(reason="...")``: the whole scenario's flow depends on the
  account's state (a customer deleted behind the integration's back); its first failure
  ends it, relaxed, after every request up to there was validated (a rejected request, a
  contract violation or a cassette miss still fails it).

Each relaxation is recorded on the test report (``user_properties``), so the terminal
summary, JUnit XML and the results JSON say which assertion was relaxed and why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import CassetteError, ContractViolation

if TYPE_CHECKING:
    import pytest

#: The ``user_properties`` key each relaxation is reported under.
PROPERTY = "stripe_relaxed"


def relaxable(exc: BaseException) -> bool:
    """A plain failed assertion; a contract violation is never about the account's state."""
    return isinstance(exc, AssertionError) and not isinstance(exc, ContractViolation)


def relaxable_flow(exc: BaseException) -> bool:
    """What ends a ``stripe_stateful`` scenario relaxed: its flow met the missing state, however it showed.

    The plugin has already failed it for a rejected request, a contract violation or a
    cassette miss; what remains (an assertion, a broken rule, the integration's reaction
    to a status that never moved) follows from the state stripe-mock does not keep.
    """
    return isinstance(exc, Exception) and not isinstance(exc, (ContractViolation, CassetteError))


def relaxed(report: pytest.TestReport) -> list[str]:
    """The account-state assertions a stateless backend could not check in this scenario."""
    return [str(value) for key, value in report.user_properties if key == PROPERTY]


def first_line(why: BaseException | str) -> str:
    text = str(why).strip() or type(why).__name__
    return text.splitlines()[0][:300]


@dataclass
class AccountState:
    """The ``stripe_stateful`` fixture's value for one scenario."""

    backend: str
    stateful: bool
    relaxed: list[str] = field(default_factory=list)

    @contextmanager
    def __call__(self, what: str) -> Iterator[None]:
        """Run the block; on a stateless backend a failed assertion in it is recorded, not raised."""
        try:
            yield
        except BaseException as exc:
            if self.stateful or not relaxable(exc):
                raise
            self.relax(what, exc)

    def relax(self, what: str, why: BaseException | str) -> None:
        """Record that ``what`` was not checked here, with the assertion that failed."""
        self.relaxed.append(f"{what} (not checked: {self.backend} keeps no account state; {first_line(why)})")
