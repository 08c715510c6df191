"""Signup never depends on Stripe: the failure this product was built to prevent."""

from __future__ import annotations

import pytest

from harness.adapter import BillingAdapter, PaymentUnavailable
from harness.backends.faults import FaultInjector
from harness.backends.spy import RequestLog

#: The ways Stripe was down when the original incident blocked new accounts.
OUTAGES = ["invalid_key", "server_error", "connect_refused", "timeout"]


@pytest.mark.parametrize("outage", OUTAGES)
def test_signup_and_verification_make_no_stripe_request(
    stripe_billing: BillingAdapter, stripe_faults: FaultInjector, stripe_requests: RequestLog, outage: str
) -> None:
    stripe_faults.add(outage)
    user_id = stripe_billing.signup("ada@example.com")
    stripe_billing.verify_email(user_id)

    user = stripe_billing.get_user(user_id)
    assert user.verified
    assert user.billing_state == "none"
    assert user.customer_id is None
    assert stripe_requests.exchanges == [], stripe_requests.describe()


@pytest.mark.parametrize("outage", OUTAGES)
def test_card_during_outage_fails_cleanly_and_reads_survive(
    stripe_billing: BillingAdapter, stripe_faults: FaultInjector, stripe_requests: RequestLog, outage: str
) -> None:
    user_id = stripe_billing.signup("grace@example.com")
    stripe_billing.verify_email(user_id)
    stripe_faults.add(outage)

    with pytest.raises(PaymentUnavailable) as failure:
        stripe_billing.add_card(user_id, "pm_card_visa")
    assert "try again" in failure.value.user_message
    assert "sk_" not in failure.value.user_message

    user = stripe_billing.get_user(user_id)  # must not raise while Stripe is down
    assert user.billing_state == "failed"
    assert user.customer_id is None
    assert user.attempts >= 1
    assert user.last_error
    health = stripe_billing.connectivity()
    assert health["healthy"] is False
    assert health["consecutive_failures"] >= 1
    # Nothing beyond the customer create was attempted without a customer.
    paths = {e.request.path for e in stripe_requests.exchanges}
    assert paths == {"/v1/customers"}, stripe_requests.describe()
