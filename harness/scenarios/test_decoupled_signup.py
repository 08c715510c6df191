"""Signup never depends on Stripe: the failure this product was built to prevent."""

from __future__ import annotations

import pytest

from harness import rules
from harness.adapter import BillingAdapter
from harness.backends.faults import FaultInjector
from harness.backends.spy import RequestLog

#: The ways Stripe was down when the original incident blocked new accounts.
OUTAGES = ["invalid_key", "server_error", "connect_refused", "timeout"]


@pytest.mark.parametrize("outage", OUTAGES)
def test_signup_and_verification_make_no_stripe_request(
    stripe_billing: BillingAdapter, stripe_faults: FaultInjector, stripe_requests: RequestLog, outage: str
) -> None:
    stripe_faults.add(outage)
    with rules.no_stripe(stripe_requests, "signup"):
        user_id = stripe_billing.signup("ada@example.com")
    with rules.no_stripe(stripe_requests, "e-mail verification"):
        stripe_billing.verify_email(user_id)

    user = rules.read_survives(lambda: stripe_billing.get_user(user_id), f"after signup during an outage ({outage})")
    rules.untouched_by_signup(user)
    with rules.no_stripe(stripe_requests, "reading a user who never paid"):
        stripe_billing.get_user(user_id)


@pytest.mark.parametrize("outage", OUTAGES)
def test_card_during_outage_fails_cleanly_and_reads_survive(
    stripe_billing: BillingAdapter, stripe_faults: FaultInjector, stripe_requests: RequestLog, outage: str
) -> None:
    with rules.no_stripe(stripe_requests, "signup"):
        user_id = stripe_billing.signup("grace@example.com")
    with rules.no_stripe(stripe_requests, "e-mail verification"):
        stripe_billing.verify_email(user_id)
    stripe_faults.add(outage)
    context = f"during an outage ({outage})"

    rules.fails_cleanly(lambda: stripe_billing.add_card(user_id, "pm_card_visa"), "adding a card", context)

    user = rules.read_survives(lambda: stripe_billing.get_user(user_id), context)
    rules.failed_state(user, f"after a card failed {context}")
    rules.attempted(user, f"after a card failed {context}")
    rules.healthy(stripe_billing, False, context)
    rules.nothing_before_customer(stripe_requests, f"adding a card {context}")
