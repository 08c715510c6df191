"""A missing customer is repaired: after an outage, and after a deletion at Stripe."""

from __future__ import annotations

import pytest

from harness import rules
from harness.account_state import AccountState
from harness.adapter import BillingAdapter
from harness.backends.faults import FaultInjector
from harness.backends.spy import RequestLog
from harness.plugin import StripeAdmin
from harness.webhooks.fixtures import WebhookSender


def _customer_deleted_at_stripe(
    stripe_billing: BillingAdapter, stripe_admin: StripeAdmin, email: str
) -> tuple[str, str, dict[str, object]]:
    """A user with a card whose customer was then deleted in the dashboard: (user, old id, customer)."""
    with rules.step("signup and add a card"):
        user_id = stripe_billing.signup(email)
        stripe_billing.verify_email(user_id)
        stripe_billing.add_card(user_id, "pm_card_visa")
        user = stripe_billing.get_user(user_id)
    rules.ready(user, rules.LAZY_CUSTOMER, "after the first card")
    assert user.customer_id  # ready() checked it; narrows the type
    return user_id, user.customer_id, stripe_admin.delete_customer(user.customer_id)


def _assert_replaced(
    stripe_billing: BillingAdapter, stripe_admin: StripeAdmin, user_id: str, old: str, email: str, context: str
) -> None:
    """The user has a new customer, and it is the only one Stripe holds for them."""
    user = rules.read_survives(lambda: stripe_billing.get_user(user_id), context)
    rules.replaced(user, old, context)
    rules.one_customer(stripe_admin.customers_for(email), user, context)


def test_read_repairs_customer_after_outage(
    stripe_billing: BillingAdapter,
    stripe_faults: FaultInjector,
    stripe_requests: RequestLog,
    stripe_admin: StripeAdmin,
    stripe_stateful: AccountState,
) -> None:
    with rules.step("signup"):
        user_id = stripe_billing.signup("ada@example.com")
        stripe_billing.verify_email(user_id)
    stripe_faults.add("unavailable", method="POST", path="/v1/customers")
    rules.fails_cleanly(lambda: stripe_billing.add_card(user_id, "pm_card_visa"), "adding a card",
                        "while Stripe answers 503")
    rules.failed_state(rules.read_survives(lambda: stripe_billing.get_user(user_id), "during the outage"),
                       "after the card failed")

    stripe_faults.clear()  # Stripe is back
    user = rules.read_survives(lambda: stripe_billing.get_user(user_id), "once Stripe is back")

    rules.ready(user, rules.REPAIR, "reading the user once Stripe is back,")
    rules.healthy(stripe_billing, True, "once Stripe is back")
    with stripe_stateful("the account holds one customer for the user"):
        rules.one_customer(stripe_admin.customers_for("ada@example.com"), user, "after the repair")


@pytest.mark.stripe_needs("invoicing")
@pytest.mark.stripe_stateful(reason="the customer deleted at Stripe is gone")
def test_payment_recreates_customer_deleted_at_stripe(
    stripe_billing: BillingAdapter, stripe_requests: RequestLog, stripe_admin: StripeAdmin
) -> None:
    user_id, old, _ = _customer_deleted_at_stripe(stripe_billing, stripe_admin, "grace@example.com")

    with rules.step("invoice a user whose customer was deleted at Stripe"):
        invoice = stripe_billing.generate_invoice(user_id, [(900, "Starter plan")], "usd")

    rules.invoice_open(invoice, 900, "usd")
    _assert_replaced(stripe_billing, stripe_admin, user_id, old, "grace@example.com", "after invoicing,")
    rules.creates(stripe_requests, 2, rules.REPAIR, "for a first card and a deleted customer's replacement")


@pytest.mark.stripe_needs("webhooks")
@pytest.mark.stripe_stateful(reason="the customer deleted at Stripe is gone")
def test_read_repairs_customer_after_deletion_webhook(
    stripe_billing: BillingAdapter, stripe_admin: StripeAdmin, stripe_webhooks: WebhookSender
) -> None:
    user_id, old, deleted = _customer_deleted_at_stripe(stripe_billing, stripe_admin, "lin@example.com")

    with rules.step("deliver customer.deleted"):
        result = stripe_webhooks.deliver(stripe_webhooks.event("customer.deleted", deleted))

    rules.accepted(result, "customer.deleted")
    _assert_replaced(stripe_billing, stripe_admin, user_id, old, "lin@example.com", "after customer.deleted,")
