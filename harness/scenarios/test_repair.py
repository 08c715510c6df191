"""A missing customer is repaired: after an outage, and after a deletion at Stripe."""

from __future__ import annotations

import pytest

from harness.adapter import BillingAdapter, PaymentUnavailable
from harness.backends.faults import FaultInjector
from harness.backends.spy import RequestLog
from harness.plugin import StripeAdmin
from harness.webhooks.fixtures import WebhookSender


def _customer_deleted_at_stripe(
    stripe_billing: BillingAdapter, stripe_admin: StripeAdmin, email: str
) -> tuple[str, str, dict[str, object]]:
    """A user with a card whose customer was then deleted in the dashboard: (user, old id, customer)."""
    user_id = stripe_billing.signup(email)
    stripe_billing.verify_email(user_id)
    stripe_billing.add_card(user_id, "pm_card_visa")
    old = stripe_billing.get_user(user_id).customer_id
    assert old
    return user_id, old, stripe_admin.delete_customer(old)


def _assert_replaced(
    stripe_billing: BillingAdapter,
    stripe_admin: StripeAdmin,
    user_id: str,
    old: str,
    email: str,
) -> None:
    """The user has a new customer, and it is the only one Stripe holds for them."""
    user = stripe_billing.get_user(user_id)
    assert user.billing_state == "ready", user.last_error
    assert user.customer_id
    assert user.customer_id != old
    assert [c["id"] for c in stripe_admin.customers_for(email)] == [user.customer_id]


def test_read_repairs_customer_after_outage(
    stripe_billing: BillingAdapter, stripe_faults: FaultInjector, stripe_requests: RequestLog, stripe_admin: StripeAdmin
) -> None:
    user_id = stripe_billing.signup("ada@example.com")
    stripe_billing.verify_email(user_id)
    stripe_faults.add("unavailable", method="POST", path="/v1/customers")
    with pytest.raises(PaymentUnavailable):
        stripe_billing.add_card(user_id, "pm_card_visa")
    assert stripe_billing.get_user(user_id).billing_state == "failed"

    stripe_faults.clear()  # Stripe is back
    user = stripe_billing.get_user(user_id)

    assert user.billing_state == "ready", user.last_error
    assert user.customer_id
    assert stripe_billing.connectivity()["healthy"] is True
    assert [c["id"] for c in stripe_admin.customers_for("ada@example.com")] == [user.customer_id]


def test_payment_recreates_customer_deleted_at_stripe(
    stripe_billing: BillingAdapter, stripe_requests: RequestLog, stripe_admin: StripeAdmin
) -> None:
    user_id, old, _ = _customer_deleted_at_stripe(stripe_billing, stripe_admin, "grace@example.com")

    invoice = stripe_billing.generate_invoice(user_id, [(900, "Starter plan")], "usd")

    assert invoice.total == 900
    _assert_replaced(stripe_billing, stripe_admin, user_id, old, "grace@example.com")
    assert stripe_requests.count("POST", "/v1/customers") == 2, stripe_requests.describe()


def test_read_repairs_customer_after_deletion_webhook(
    stripe_billing: BillingAdapter, stripe_admin: StripeAdmin, stripe_webhooks: WebhookSender
) -> None:
    user_id, old, deleted = _customer_deleted_at_stripe(stripe_billing, stripe_admin, "lin@example.com")

    result = stripe_webhooks.deliver(stripe_webhooks.event("customer.deleted", deleted))

    assert result.status == 200
    _assert_replaced(stripe_billing, stripe_admin, user_id, old, "lin@example.com")
