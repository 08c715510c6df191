"""A create that reached Stripe but timed out on the way back must not make a second customer."""

from __future__ import annotations

from harness import rules
from harness.account_state import AccountState
from harness.adapter import BillingAdapter
from harness.backends.faults import FaultInjector
from harness.backends.spy import RequestLog
from harness.plugin import StripeAdmin


def test_retried_create_after_timeout_makes_no_duplicate(
    stripe_billing: BillingAdapter,
    stripe_faults: FaultInjector,
    stripe_requests: RequestLog,
    stripe_admin: StripeAdmin,
    stripe_stateful: AccountState,
) -> None:
    with rules.step("signup"):
        user_id = stripe_billing.signup("ada@example.com")
        stripe_billing.verify_email(user_id)
    stripe_faults.add("succeed_then_timeout", method="POST", path="/v1/customers", times=1)

    with rules.step("add a card while the create's answer times out"):
        stripe_billing.add_card(user_id, "pm_card_visa")

    with rules.step("read the user"):
        user = stripe_billing.get_user(user_id)
    rules.ready(user, rules.IDEMPOTENT_CREATE, "after the retried create")
    rules.one_key_for_every_attempt(stripe_requests)
    rules.creates(stripe_requests, 1, rules.IDEMPOTENT_CREATE, "counting a retry with the same key once,")
    with stripe_stateful("the account holds one customer for the user"):
        rules.one_customer(stripe_admin.customers_for("ada@example.com"), user, "after the retried create")
