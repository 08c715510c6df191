"""A customer with a discount: the integration reads which coupon applies (optional capability).

clover (2025-09-30) replaced the embedded ``discount.coupon`` object with ``discount.source.coupon``
(the coupon's id): an integration that reads ``discount.coupon.id`` breaks from clover on. The
discount is applied as someone in the dashboard would (the Customer endpoints took ``coupon``
until basil). An adapter has this capability when it implements ``discount_coupon(user_id)``.
"""

from __future__ import annotations

from typing import cast

import pytest

from harness.account_state import AccountState
from harness.adapter import BillingAdapter, OptionalMethods
from harness.backends.spy import RequestLog
from harness.plugin import StripeAdmin


@pytest.mark.stripe_needs("discounts")
def test_the_integration_reads_the_coupon_of_a_customers_discount(
    stripe_billing: BillingAdapter,
    stripe_requests: RequestLog,
    stripe_admin: StripeAdmin,
    stripe_stateful: AccountState,
) -> None:
    user_id = stripe_billing.signup("ada@example.com")
    stripe_billing.verify_email(user_id)
    stripe_billing.add_card(user_id, "pm_card_visa")
    customer_id = stripe_billing.get_user(user_id).customer_id
    assert customer_id
    assert cast(OptionalMethods, stripe_billing).discount_coupon(user_id) is None

    stripe_admin.give_discount(customer_id, "SPRING20", percent_off=20)

    with stripe_stateful("the discount given at Stripe reads back on the customer"):
        assert cast(OptionalMethods, stripe_billing).discount_coupon(user_id) == "SPRING20"
    assert stripe_requests.count("GET", f"/v1/customers/{customer_id}") >= 1, stripe_requests.describe()
