"""One chaos run: users through signup, card and invoice under random faults, then recovery.

The integration is driven only through its adapter, so any integration that fits the
harness can be put through it. The verdict comes from the backend's own state (listed
past the fault injector), never from what the integration believes about itself.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..adapter import BillingAdapter, PaymentUnavailable, StripeSettings, make_adapter
from ..backends.base import Backend
from ..backends.faults import Fault, FaultInjector
from ..config import OFFLINE_API_KEY, WEBHOOK_SECRET
from ..progress import progress
from ..stripe_http import routed_to
from .account import Account

ITEMS = [(1500, "Pro plan")]
#: Rounds of "drain the queue, read every unfinished user" before recovery is declared failed.
MAX_RECOVERY_ROUNDS = 10


@dataclass
class ChaosFigures:
    """What a chaos run measured; the first six must be zero (or one) for a pass."""

    users: int
    signup_failures: int = 0
    unexpected_errors: int = 0  # anything but PaymentUnavailable out of a payment action
    users_without_customer: int = 0
    customers_per_user: dict[int, int] = field(default_factory=dict)  # customers -> how many users
    orphan_customers: int = 0
    invoices_left_behind: int = 0  # drafts, or open invoices the integration does not know
    payment_failures_shown: int = 0  # user-facing "try again" during the chaos: expected
    faults_injected: int = 0
    chaos_seconds: float = 0.0
    recovery_seconds: float = 0.0
    recovery_rounds: int = 0
    healthy_after: bool = False
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing lost, nothing duplicated, nobody blocked."""
        return (
            self.signup_failures == self.unexpected_errors == self.users_without_customer == 0
            and set(self.customers_per_user) == {1}
            and self.orphan_customers == self.invoices_left_behind == 0
            and self.healthy_after
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures, with the verdict."""
        return {**asdict(self), "ok": self.ok}


def _chaos_faults(injector: FaultInjector, rate: float) -> None:
    """Every fault, equally likely, together firing on about ``rate`` of requests."""
    faults = list(Fault)
    for fault in faults:
        injector.add(fault, probability=rate / len(faults), delay=0.001)


def run_chaos(
    backend: Backend, adapter_factory: Any, *, users: int, fault_rate: float, api_version: str, seed: int = 0,
    work_every: int = 25,
) -> ChaosFigures:
    """Put ``users`` users through the flows against ``backend`` with faults, then let it recover.

    The queue runs every ``work_every`` users during the chaos too, as a worker would,
    so jobs meet faults as well and must survive their own failures.
    """
    injector = FaultInjector(backend, seed=seed)
    figures = ChaosFigures(users=users)
    with tempfile.TemporaryDirectory(prefix="stripe-compat-chaos-") as tmp, routed_to(injector) as client:
        settings = StripeSettings(OFFLINE_API_KEY, api_version, injector.api_base, client, WEBHOOK_SECRET)
        billing = make_adapter(adapter_factory, settings, Path(tmp))
        try:
            _chaos_faults(injector, fault_rate)
            started = time.monotonic()
            user_ids: list[str] = []
            with progress("chaos", total=users) as tracker:
                tracker.doing(f"users through signup, card and invoice at fault rate {fault_rate}")
                for n in range(users):
                    if (user_id := _one_user(billing, n, figures)) is not None:
                        user_ids.append(user_id)
                    if n % work_every == work_every - 1:
                        billing.run_queued_work()
                    tracker.done()
                tracker.doing("Stripe is back: recovering")
                figures.faults_injected = sum(rule.fired for rule in injector.rules)
                figures.chaos_seconds = time.monotonic() - started

                injector.clear()  # Stripe is back
                started = time.monotonic()
                _recover(billing, user_ids, figures)
            figures.recovery_seconds = time.monotonic() - started
            figures.healthy_after = bool(billing.connectivity()["healthy"])
            _judge(billing, Account(backend, OFFLINE_API_KEY, api_version), user_ids, figures)
        finally:
            billing.close()
    return figures


def _note(figures: ChaosFigures, text: str) -> None:
    if len(figures.examples) < 5:
        figures.examples.append(text)


def _one_user(billing: BillingAdapter, n: int, figures: ChaosFigures) -> str | None:
    """Signup (which must not fail), then a card and an invoice (which may, cleanly)."""
    try:
        user_id = billing.signup(f"chaos-{n}@example.com")
        billing.verify_email(user_id)
    except Exception as exc:  # the point of the run: count it, keep going
        figures.signup_failures += 1
        _note(figures, f"signup {n}: {exc!r}")
        return None
    for action in (lambda: billing.add_card(user_id, "pm_card_visa"),
                   lambda: billing.generate_invoice(user_id, ITEMS, "usd")):
        try:
            action()
        except PaymentUnavailable:
            figures.payment_failures_shown += 1
        except Exception as exc:
            figures.unexpected_errors += 1
            _note(figures, f"user {user_id}: {exc!r}")
    return user_id


def _recover(billing: BillingAdapter, user_ids: list[str], figures: ChaosFigures) -> None:
    """Drain the queue and read every user (reads repair) until nothing changes."""
    for rounds in range(1, MAX_RECOVERY_ROUNDS + 1):
        figures.recovery_rounds = rounds
        ran = billing.run_queued_work()
        unfinished = [u for u in user_ids if billing.get_user(u).billing_state != "ready"]
        if not ran and not unfinished:
            return


def _judge(billing: BillingAdapter, account: Account, user_ids: list[str], figures: ChaosFigures) -> None:
    """Compare the integration's users with the account's customers and invoices."""
    views = [billing.get_user(u) for u in user_ids]
    figures.users_without_customer = sum(1 for v in views if not v.customer_id)
    by_user = account.customers_by_user()
    known = {v.customer_id for v in views}
    counts = [len(by_user.get(u, [])) for u in user_ids]
    figures.customers_per_user = {c: counts.count(c) for c in sorted(set(counts))}
    figures.orphan_customers = sum(1 for ids in by_user.values() for cid in ids if cid not in known)
    recorded = {i["stripe_invoice_id"] for i in billing.billing_snapshot()["invoices"] if i["status"] == "open"}
    left = [i for i in account.invoices() if _left_behind(i, recorded)]
    figures.invoices_left_behind = len(left)
    for invoice in left[:3]:
        _note(figures, f"invoice {invoice['id']} left {invoice['status']}")


def _left_behind(invoice: dict[str, Any], recorded: set[str]) -> bool:
    """A draft is always half-done; an open invoice only when the integration never recorded it."""
    return invoice["status"] == "draft" or (invoice["status"] == "open" and invoice["id"] not in recorded)
