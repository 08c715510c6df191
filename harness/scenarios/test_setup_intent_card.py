"""A card saved through a SetupIntent that names its payment method types (optional capability).

endive refuses ``payment_method_types`` on SetupIntents (400
``payment_method_types_no_longer_supported``): an integration that still sends it breaks exactly
in the endive cells. An adapter has this capability when it implements
``save_card_with_setup_intent(user_id, payment_method, payment_method_types)``.
"""

from __future__ import annotations

from typing import cast

import pytest

from harness.adapter import BillingAdapter, OptionalMethods
from harness.backends.spy import RequestLog

TYPES = {"payment_method_types[0]", "allowed_payment_method_types[0]"}


@pytest.mark.stripe_needs("setup_intents")
@pytest.mark.stripe_stateful(reason="the confirmed SetupIntent succeeds")
def test_a_card_saved_through_a_setup_intent_with_explicit_types_becomes_the_default(
    stripe_billing: BillingAdapter, stripe_requests: RequestLog
) -> None:
    user_id = stripe_billing.signup("ada@example.com")
    stripe_billing.verify_email(user_id)

    cast(OptionalMethods, stripe_billing).save_card_with_setup_intent(user_id, "pm_card_visa", ["card"])

    user = stripe_billing.get_user(user_id)
    assert user.billing_state == "ready"
    assert user.default_payment_method
    assert user.default_payment_method.startswith("pm_")
    (intent,) = stripe_requests.matching("POST", "/v1/setup_intents")
    assert intent.response is not None
    assert intent.response.status == 200, intent.response.body
    sent = {name for name, value in intent.request.form if value == "card"}
    assert sent & TYPES, f"the SetupIntent did not name its payment method types: {intent.request.form}"
    assert ("customer", user.customer_id) in intent.request.form
    assert intent.response.json()["status"] == "succeeded"
