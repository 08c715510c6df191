"""Every fault at every Stripe call: signup and reads never fail, payments fail cleanly and converge.

For each fault, each call site of each payment flow is broken in turn (a fresh user per
site, the fault persistent so the integration's own retries meet it too). The action
must either succeed (a slow answer) or raise :class:`PaymentUnavailable` with a message a
customer can read; reads during the fault must work; and once the fault clears and the
queue drains, a retry must leave exactly one customer, the card as default, and no
draft or unwanted open invoice at Stripe. One scenario per fault keeps a matrix cell's
cost at eleven cassettes rather than ninety-nine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from harness import rules
from harness.account_state import AccountState
from harness.adapter import BillingAdapter, Capability, lacks
from harness.backends.faults import Fault, FaultInjector
from harness.backends.spy import Exchange, RequestLog
from harness.plugin import StripeAdmin

CARD = "pm_card_visa"
ITEMS = [(1500, "Pro plan"), (500, "Extra seat")]
#: Faults after which Stripe was still reachable, so monitoring must stay healthy.
REACHABLE = {Fault.SLOW, Fault.CARD_DECLINED}
INVOICE_PATH = re.compile(r"/v1/invoices(/in_[A-Za-z0-9]+(/finalize|/void)?)?")


@dataclass(frozen=True)
class Site:
    """One Stripe call the integration makes in one flow."""

    name: str
    flow: str  # card | invoice | repair (get_user after an earlier failure)
    method: str
    path: str


SITES = (
    Site("repair-lookup", "repair", "GET", "/v1/customers"),
    Site("repair-create", "repair", "POST", "/v1/customers"),
    Site("card-customer", "card", "POST", "/v1/customers"),
    Site("card-attach", "card", "POST", r"/v1/payment_methods/[^/]+/attach"),
    Site("card-default", "card", "POST", r"/v1/customers/cus_[A-Za-z0-9]+"),
    Site("invoice-customer", "invoice", "POST", "/v1/customers"),
    Site("invoice-create", "invoice", "POST", "/v1/invoices"),
    Site("invoice-item", "invoice", "POST", "/v1/invoiceitems"),
    Site("invoice-finalize", "invoice", "POST", r"/v1/invoices/in_[A-Za-z0-9]+/finalize"),
)


def test_signup_verification_and_reads_never_call_stripe_whatever_the_fault(
    stripe_billing: BillingAdapter, stripe_faults: FaultInjector, stripe_requests: RequestLog
) -> None:
    for fault in Fault:
        stripe_faults.add(fault)
    with rules.no_stripe(stripe_requests, "signup"):
        user_id = stripe_billing.signup("ada@example.com")
    with rules.no_stripe(stripe_requests, "e-mail verification"):
        stripe_billing.verify_email(user_id)
    with rules.no_stripe(stripe_requests, "reading a user who never paid"):
        user = rules.read_survives(lambda: stripe_billing.get_user(user_id), "while every fault is armed")

    rules.untouched_by_signup(user)
    rules.healthy(stripe_billing, True, "with no Stripe call made")


@pytest.mark.parametrize("fault", list(Fault))
def test_payment_flows_survive_the_fault_at_every_call_and_converge(
    stripe_billing: BillingAdapter,
    stripe_faults: FaultInjector,
    stripe_requests: RequestLog,
    stripe_admin: StripeAdmin,
    stripe_stateful: AccountState,
    fault: Fault,
) -> None:
    # Without invoicing the invoice sites do not exist; the card and repair sites still run.
    invoicing = not lacks(stripe_billing, Capability.INVOICING)
    for site in SITES:
        if invoicing or site.flow != "invoice":
            Case(stripe_billing, stripe_faults, stripe_requests, stripe_admin, stripe_stateful, fault, site).run()


@dataclass
class Case:
    """One fault at one call site, from signup to convergence."""

    billing: BillingAdapter
    faults: FaultInjector
    requests: RequestLog
    admin: StripeAdmin
    state: AccountState
    fault: Fault
    site: Site

    def run(self) -> None:
        start = len(self.requests.exchanges)
        email = f"{self.site.name}.{self.fault.value}@example.com"
        with rules.step("signup"):
            user_id = self.billing.signup(email)
            self.billing.verify_email(user_id)
        if self.site.flow == "repair":
            self._fail_first_card(user_id)
        action = self._action(user_id)

        # A millisecond is as slow as the integration can notice here; more only costs matrix time.
        self.faults.add(self.fault, method=self.site.method, path=self.site.path, delay=0.001)
        failed = self._act(action)
        self._check_during_fault(user_id, failed)

        self.faults.clear()
        for _ in range(5):  # each round retries what the previous one left; two always suffice
            if not rules.run_queue(self.billing):
                break
        if failed and self.site.flow != "repair":
            with rules.step(f"{self.site.flow} again once Stripe is back"):
                action()  # the customer tries again
        self._check_converged(user_id, email, self.requests.exchanges[start:])

    def _context(self) -> str:
        return f"{self.fault.value} at {self.site.name}"

    def _fail_first_card(self, user_id: str) -> None:
        # Until cleared, not once: the library's own retries would absorb a single 503.
        self.faults.add(Fault.UNAVAILABLE, method="POST", path="/v1/customers")
        rules.fails_cleanly(lambda: self.billing.add_card(user_id, CARD), "adding a card", "while Stripe answers 503")
        self.faults.clear()

    def _action(self, user_id: str) -> Callable[[], object]:
        if self.site.flow == "card":
            return lambda: self.billing.add_card(user_id, CARD)
        if self.site.flow == "invoice":
            return lambda: self.billing.generate_invoice(user_id, ITEMS, "usd")
        return lambda: self.billing.get_user(user_id)

    def _act(self, action: Callable[[], object]) -> bool:
        """Run the action under the fault; True when it failed (as it must, unless merely slow)."""
        if self.site.flow == "repair":
            rules.read_survives(action, f"with {self._context()}")  # type: ignore[arg-type]
            return self.fault is not Fault.SLOW
        if self.fault is Fault.SLOW:
            with rules.step(f"{self.site.flow} with {self._context()}"):
                action()  # a slow answer is still an answer
            return False
        says = "declined" if self.fault is Fault.CARD_DECLINED else "try again"
        what = "adding a card" if self.site.flow == "card" else "generating an invoice"
        rules.fails_cleanly(action, what, f"with {self._context()}", says=says)
        return True

    def _check_during_fault(self, user_id: str, failed: bool) -> None:
        context = f"with {self._context()}"
        rules.healthy(self.billing, self.fault in REACHABLE, context)
        user = rules.read_survives(lambda: self.billing.get_user(user_id), context)
        if user.billing_state == "ready":
            rules.ready(user, rules.CLEAN_FAILURE, context)
        else:
            rules.failed_state(user, context)
        if not failed and user.billing_state != "ready":
            raise rules.RuleBroken(rules.CLEAN_FAILURE, f"{context} the action succeeded but the user is "
                                   f"{user.billing_state!r}", "an action that succeeded leaves the user 'ready'")

    def _check_converged(self, user_id: str, email: str, exchanges: list[Exchange]) -> None:
        context = f"after {self._context()} cleared and the queue ran,"
        user = rules.read_survives(lambda: self.billing.get_user(user_id), context)
        rules.ready(user, rules.CLEAN_FAILURE, context)
        with self.state(f"{context} the account holds one customer for the user"):
            rules.one_customer(self.admin.customers_for(email), user, context)
        if self.site.flow == "card":
            rules.default_card(user, context)
        if self.site.flow == "invoice":
            with rules.step("billing snapshot"):
                invoices = self.billing.billing_snapshot()["invoices"]
            kept = {i["stripe_invoice_id"] for i in invoices if i["status"] == "open"}
            fates = _invoice_fates(exchanges).items()
            left = {i: fate for i, fate in fates if i not in kept and fate not in ("deleted", "void")}
            with self.state(f"{context} no draft or unwanted open invoice is left at Stripe"):
                rules.nothing_left_behind(left, context)
        rules.drained(self.billing, rules.CLEAN_FAILURE, context)
        rules.healthy(self.billing, True, context)


def _invoice_fates(exchanges: list[Exchange]) -> dict[str, str]:
    """Each invoice Stripe told us about, with the last status it reported (or ``deleted``)."""
    fates: dict[str, str] = {}
    for e in exchanges:
        if e.response is None or e.response.status != 200 or not INVOICE_PATH.fullmatch(e.request.path):
            continue
        try:
            body = e.response.json()
        except ValueError:
            continue  # a garbled answer told us nothing about the invoice
        fates[body["id"]] = "deleted" if body.get("deleted") else body["status"]
    return fates
