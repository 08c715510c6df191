"""The Stripe customer is created by the first payment feature that needs it, exactly once."""

from __future__ import annotations

from harness.adapter import BillingAdapter
from harness.backends.spy import RequestLog
from harness.plugin import StripeAdmin

ATTACH = r"/v1/payment_methods/[^/]+/attach"
CUSTOMER = r"/v1/customers/cus_[A-Za-z0-9]+"


def test_first_card_creates_one_customer_and_sets_default(
    stripe_billing: BillingAdapter, stripe_requests: RequestLog, stripe_admin: StripeAdmin
) -> None:
    user_id = stripe_billing.signup("ada@example.com")
    stripe_billing.verify_email(user_id)
    assert stripe_requests.exchanges == []

    stripe_billing.add_card(user_id, "pm_card_visa")

    user = stripe_billing.get_user(user_id)
    assert user.billing_state == "ready"
    assert user.customer_id
    assert user.customer_id.startswith("cus_")
    assert user.default_payment_method
    assert user.default_payment_method.startswith("pm_")
    assert stripe_requests.count("POST", "/v1/customers") == 1, stripe_requests.describe()
    (attach,) = stripe_requests.matching("POST", ATTACH)
    assert ("customer", user.customer_id) in attach.request.form
    (default,) = stripe_requests.matching("POST", CUSTOMER)
    assert ("invoice_settings[default_payment_method]", user.default_payment_method) in default.request.form

    stripe_billing.add_card(user_id, "pm_card_mastercard")  # a second card reuses the customer
    assert stripe_requests.count("POST", "/v1/customers") == 1, stripe_requests.describe()
    customers = stripe_admin.customers_for("ada@example.com")
    assert [c["id"] for c in customers] == [user.customer_id]
    assert customers[0]["metadata"]["user_id"] == user_id


def test_invoice_for_user_without_customer_creates_it_first(
    stripe_billing: BillingAdapter, stripe_requests: RequestLog
) -> None:
    user_id = stripe_billing.signup("lin@example.com")
    stripe_billing.verify_email(user_id)

    invoice = stripe_billing.generate_invoice(user_id, [(1500, "Pro plan"), (500, "Extra seat")], "usd")

    assert invoice.status == "open"
    assert invoice.total == 2000
    assert invoice.currency == "usd"
    user = stripe_billing.get_user(user_id)
    assert user.billing_state == "ready"
    paths = [e.request.path for e in stripe_requests.exchanges]
    assert paths[0] == "/v1/customers", stripe_requests.describe()  # the customer comes first
    assert paths.count("/v1/customers") == 1
    assert stripe_requests.count("POST", "/v1/invoiceitems") == 2
    (finalize,) = stripe_requests.matching("POST", r"/v1/invoices/in_[A-Za-z0-9]+/finalize")
    assert finalize.response is not None
    assert finalize.response.status == 200
    (create,) = stripe_requests.matching("POST", "/v1/invoices")
    assert ("customer", user.customer_id) in create.request.form
