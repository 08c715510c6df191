"""The Stripe customer is created by the first payment feature that needs it, exactly once."""

from __future__ import annotations

import pytest

from harness import rules
from harness.account_state import AccountState
from harness.adapter import BillingAdapter
from harness.backends.spy import RequestLog
from harness.plugin import StripeAdmin

ATTACH = r"/v1/payment_methods/[^/]+/attach"
CUSTOMER = r"/v1/customers/cus_[A-Za-z0-9]+"


def test_first_card_creates_one_customer_and_sets_default(
    stripe_billing: BillingAdapter,
    stripe_requests: RequestLog,
    stripe_admin: StripeAdmin,
    stripe_stateful: AccountState,
) -> None:
    with rules.no_stripe(stripe_requests, "signup"):
        user_id = stripe_billing.signup("ada@example.com")
    with rules.no_stripe(stripe_requests, "e-mail verification"):
        stripe_billing.verify_email(user_id)

    with rules.step("add the first card"):
        stripe_billing.add_card(user_id, "pm_card_visa")

    with rules.step("read the user"):
        user = stripe_billing.get_user(user_id)
    rules.ready(user, rules.LAZY_CUSTOMER, "after the first card")
    rules.creates(stripe_requests, 1, rules.LAZY_CUSTOMER, "for the first card")
    rules.sent_with(stripe_requests, "POST", ATTACH, "customer", user.customer_id, rules.LAZY_CUSTOMER,
                    "attaching the card")
    rules.default_card(user, "after the first card")
    rules.sent_with(stripe_requests, "POST", CUSTOMER, "invoice_settings[default_payment_method]",
                    user.default_payment_method, rules.LAZY_CUSTOMER, "setting the default card")

    with rules.step("add a second card"):
        stripe_billing.add_card(user_id, "pm_card_mastercard")
    rules.creates(stripe_requests, 1, rules.ONE_CUSTOMER, "after a second card")
    customers = stripe_admin.customers_for("ada@example.com")
    with stripe_stateful("the account holds one customer for the user, tagged with the user id"):
        rules.one_customer(customers, user, "after two cards")
        rules.tagged_with_user(customers, user_id)


@pytest.mark.stripe_needs("invoicing")
def test_invoice_for_user_without_customer_creates_it_first(
    stripe_billing: BillingAdapter, stripe_requests: RequestLog, stripe_stateful: AccountState
) -> None:
    with rules.step("signup"):
        user_id = stripe_billing.signup("lin@example.com")
        stripe_billing.verify_email(user_id)

    with rules.step("generate the first invoice"):
        invoice = stripe_billing.generate_invoice(user_id, [(1500, "Pro plan"), (500, "Extra seat")], "usd")

    with stripe_stateful("the finalized invoice is open and totals its items"):
        rules.invoice_open(invoice, 2000, "usd")
    with rules.step("read the user"):
        user = stripe_billing.get_user(user_id)
    rules.ready(user, rules.LAZY_CUSTOMER, "after the first invoice")
    rules.customer_first(stripe_requests, "invoicing a user without a customer:")
    rules.creates(stripe_requests, 1, rules.LAZY_CUSTOMER, "for the first invoice")
    rules.invoiced(stripe_requests, 2, user.customer_id)
