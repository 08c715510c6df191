"""Stripe calls written the way stripe-python 2.x-7.x code commonly was.

Each old idiom is marked with what breaks it; the harness's known causes
(harness/upgrade/known_causes.json) recognise every one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import stripe

from harness.reference.gateway import OUTAGE_KINDS, GatewayError, StripeGateway

T = TypeVar("T")


def _kind(exc: Exception) -> str:
    # Old idiom: exceptions under stripe.error (a deprecated alias since stripe 8.0).
    if isinstance(exc, stripe.error.CardError):
        return "card"
    if isinstance(exc, stripe.error.InvalidRequestError):
        return "missing" if getattr(exc, "code", None) == "resource_missing" else "invalid"
    if isinstance(exc, (stripe.error.AuthenticationError, stripe.error.PermissionError)):
        return "auth"
    if isinstance(exc, stripe.error.APIConnectionError):
        return "network"
    if isinstance(exc, stripe.error.RateLimitError):
        return "rate_limit"
    return "server" if isinstance(exc, stripe.error.APIError) else "unknown"


class LegacyGateway(StripeGateway):
    """The reference gateway's calls with dict-style reads and ``stripe.error`` exceptions."""

    def _call(self, fn: Callable[..., T], *args: Any, **params: Any) -> T:
        try:
            result = fn(*args, api_key=self.api_key, stripe_version=self.api_version, **params)
        except stripe.error.StripeError as exc:
            kind = _kind(exc)
            message = exc.user_message or str(exc)
            if kind in OUTAGE_KINDS:
                self.monitor.failure(f"{kind}: {message}")
            else:
                self.monitor.success()
            raise GatewayError(kind, message, exc.param if hasattr(exc, "param") else None) from exc
        self.monitor.success()
        return result

    def find_customer(self, *, email: str, user_id: str) -> str | None:
        found = self._call(stripe.Customer.list, email=email, limit=10)
        for customer in found.get("data", []):  # Old idiom: StripeObject as a dict (gone in stripe 15.0).
            if customer.get("metadata", {}).get("user_id") == user_id and not customer.get("deleted"):
                return customer["id"]
        return None

    def customer_exists(self, customer_id: str) -> bool:
        try:
            customer = self._call(stripe.Customer.retrieve, customer_id)
        except GatewayError as exc:
            if exc.kind == "missing":
                return False
            raise
        return not customer.get("deleted", False)

    def attach_card(self, *, customer_id: str, payment_method: str) -> str:
        attached = self._call(stripe.PaymentMethod.attach, payment_method, customer=customer_id)
        self._call(stripe.Customer.modify, customer_id, invoice_settings={"default_payment_method": attached.id})
        return attached.get("id")

    def finalize_invoice(self, invoice_id: str) -> tuple[str, int, str]:
        invoice = self._call(stripe.Invoice.finalize_invoice, invoice_id)
        # Old idioms: invoice.paid (removed in API 2025-03-31.basil) and invoice.subscription
        # (moved to parent.subscription_details), read with .get so a missing field is None.
        status = "paid" if invoice.get("paid") else invoice["status"]
        if invoice.get("subscription"):
            status = f"{status} (subscription {invoice['subscription']})"
        return status, int(invoice["total"]), invoice["currency"]
