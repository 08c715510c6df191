"""A missing customer is repaired: after an outage, and after a deletion at Stripe."""

from __future__ import annotations

import pytest

from harness.adapter import BillingAdapter, PaymentUnavailable
from harness.backends.faults import FaultInjector
from harness.backends.spy import RequestLog
from harness.plugin import StripeAdmin
from harness.webhooks.fixtures import WebhookSender


def _ready_user(billing: BillingAdapter, email: str) -> str:
    user_id = billing.signup(email)
    billing.verify_email(user_id)
    billing.add_card(user_id, "pm_card_visa")
    return user_id


def test_read_repairs_customer_after_outage(
    billing: BillingAdapter, stripe_faults: FaultInjector, stripe_requests: RequestLog, stripe_admin: StripeAdmin
) -> None:
    user_id = billing.signup("ada@example.com")
    billing.verify_email(user_id)
    stripe_faults.add("unavailable", method="POST", path="/v1/customers")
    with pytest.raises(PaymentUnavailable):
        billing.add_card(user_id, "pm_card_visa")
    assert billing.get_user(user_id).billing_state == "failed"

    stripe_faults.clear()  # Stripe is back
    user = billing.get_user(user_id)

    assert user.billing_state == "ready", user.last_error
    assert user.customer_id
    assert billing.connectivity()["healthy"] is True
    assert [c["id"] for c in stripe_admin.customers_for("ada@example.com")] == [user.customer_id]


def test_payment_recreates_customer_deleted_at_stripe(
    billing: BillingAdapter, stripe_requests: RequestLog, stripe_admin: StripeAdmin
) -> None:
    user_id = _ready_user(billing, "grace@example.com")
    old = billing.get_user(user_id).customer_id
    assert old
    stripe_admin.delete_customer(old)

    invoice = billing.generate_invoice(user_id, [(900, "Starter plan")], "usd")

    user = billing.get_user(user_id)
    assert user.customer_id
    assert user.customer_id != old
    assert invoice.total == 900
    assert [c["id"] for c in stripe_admin.customers_for("grace@example.com")] == [user.customer_id]
    assert stripe_requests.count("POST", "/v1/customers") == 2, stripe_requests.describe()


def test_read_repairs_customer_after_deletion_webhook(
    billing: BillingAdapter, stripe_admin: StripeAdmin, stripe_webhooks: WebhookSender
) -> None:
    user_id = _ready_user(billing, "lin@example.com")
    old = billing.get_user(user_id).customer_id
    assert old
    deleted = stripe_admin.delete_customer(old)

    result = stripe_webhooks.deliver(stripe_webhooks.event("customer.deleted", deleted))
    assert result.status == 200

    user = billing.get_user(user_id)
    assert user.billing_state == "ready", user.last_error
    assert user.customer_id
    assert user.customer_id != old
    assert [c["id"] for c in stripe_admin.customers_for("lin@example.com")] == [user.customer_id]
