"""A create that reached Stripe but timed out on the way back must not make a second customer."""

from __future__ import annotations

from harness.adapter import BillingAdapter
from harness.backends.faults import FaultInjector
from harness.backends.spy import RequestLog
from harness.plugin import StripeAdmin


def test_retried_create_after_timeout_makes_no_duplicate(
    stripe_billing: BillingAdapter, stripe_faults: FaultInjector, stripe_requests: RequestLog, stripe_admin: StripeAdmin
) -> None:
    user_id = stripe_billing.signup("ada@example.com")
    stripe_billing.verify_email(user_id)
    stripe_faults.add("succeed_then_timeout", method="POST", path="/v1/customers", times=1)

    stripe_billing.add_card(user_id, "pm_card_visa")

    user = stripe_billing.get_user(user_id)
    assert user.billing_state == "ready"
    creates = stripe_requests.matching("POST", "/v1/customers")
    assert len(creates) == 2, stripe_requests.describe()
    keys = {e.request.header("Idempotency-Key") for e in creates}
    assert None not in keys
    assert len(keys) == 1, "the retry must reuse the first attempt's idempotency key"
    assert [c["id"] for c in stripe_admin.customers_for("ada@example.com")] == [user.customer_id]
