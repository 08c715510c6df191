"""The account webhook scenarios deliver events about, built by the integration and by Stripe.

Two users. Ada adds a card; then her customer is deleted in the Dashboard. Bo adds a
card that fails when charged, is invoiced, the payment fails, he adds a working card,
the invoice is paid, he sets up a third card through a SetupIntent and the failing
card is detached. Between them the account emits every event type the reference
handler acts on, several within the same second, which is where ordering rules break.
"""

from __future__ import annotations

from typing import Any

from ..adapter import BillingAdapter, Capability, lacks
from .account import StripeAccount

#: Event types a webhook endpoint is expected to act on; the rest are acknowledged and ignored.
HANDLED = frozenset({
    "customer.deleted", "payment_method.attached", "payment_method.detached",
    "setup_intent.succeeded", "invoice.paid", "invoice.payment_failed",
})
#: The handled types only an integration that invoices causes.
INVOICE_EVENTS = frozenset({"invoice.paid", "invoice.payment_failed"})


def expected_types(billing: BillingAdapter) -> frozenset[str]:
    """The handled event types the story emits for this integration (no invoice events without invoicing)."""
    return HANDLED - INVOICE_EVENTS if lacks(billing, Capability.INVOICING) else HANDLED


def build_account(billing: BillingAdapter, account: StripeAccount | None) -> None:
    """Run the story; with ``account`` None only the integration's own steps run (for a twin).

    An integration without invoicing skips Bo's invoice; the card, SetupIntent and
    deletion events still tell the story.
    """
    invoicing = not lacks(billing, Capability.INVOICING)
    ada = billing.signup("ada@example.com")
    billing.verify_email(ada)
    billing.add_card(ada, "pm_card_visa")
    bo = billing.signup("bo@example.com")
    billing.verify_email(bo)
    billing.add_card(bo, "pm_card_chargeCustomerFail")
    failing = billing.get_user(bo).default_payment_method
    invoice = billing.generate_invoice(bo, [(1200, "Pro plan")], "usd") if invoicing else None
    if account is not None and invoice is not None:
        account.call("POST", f"/v1/invoices/{invoice.invoice_id}/pay", expect=402)
    billing.add_card(bo, "pm_card_visa")
    if account is None:
        return
    if invoice is not None:
        account.call("POST", f"/v1/invoices/{invoice.invoice_id}/pay")
    account.call(
        "POST", "/v1/setup_intents", customer=billing.get_user(bo).customer_id,
        payment_method="pm_card_mastercard", confirm="true", usage="off_session",
    )
    account.call("POST", f"/v1/payment_methods/{failing}/detach")
    account.call("DELETE", f"/v1/customers/{billing.get_user(ada).customer_id}")


def timeline(account: StripeAccount, expected: frozenset[str] = HANDLED) -> list[dict[str, Any]]:
    """The account's events in the order Stripe emitted them; checks every ``expected`` type is there."""
    events = account.events()
    missing = expected - {e["type"] for e in events}
    if missing:
        msg = f"the backend emitted no {', '.join(sorted(missing))} event: re-record, or fix the backend's events"
        raise AssertionError(msg)
    return events
