"""Integrations that each rely on one old behaviour of Stripe, for the upgrade check to catch.

Each is the reference integration with one gateway call written the way code written against
an older API version does it; ``tests/upgrade/test_catalogue_breaks.py`` runs ``upgrade`` on them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import stripe

from harness.adapter import StripeSettings, WebhookResult
from harness.reference.adapter import ReferenceAdapter
from harness.reference.gateway import StripeGateway, field


class _Planted(ReferenceAdapter):
    gateway: type[StripeGateway]

    def __init__(self, settings: StripeSettings, workdir: Path, *, verify_ttl: float = 3600.0) -> None:
        super().__init__(settings, workdir, verify_ttl=verify_ttl)
        self.billing.gateway = self.gateway(settings.api_key, settings.api_version, self.monitor)


class _ReadsSources(StripeGateway):
    def find_customer(self, *, email: str, user_id: str) -> str | None:
        found = self._call(stripe.Customer.list, email=email, limit=10)
        for customer in found["data"]:
            cards = customer["sources"]["data"]  # not sent unless expanded, since 2020-08-27
            if field(customer["metadata"], "user_id") == user_id and cards is not None:
                return str(customer["id"])
        return None


class _ReadsBalance(StripeGateway):
    def find_customer(self, *, email: str, user_id: str) -> str | None:
        found = self._call(stripe.Customer.list, email=email, limit=10)
        for customer in found["data"]:
            owes = customer["balance"] > 0  # always sent
            if field(customer["metadata"], "user_id") == user_id and not owes:
                return str(customer["id"])
        return None


class _OldDiscount(StripeGateway):
    def coupon_of(self, customer_id: str) -> str | None:
        discount = field(self._call(stripe.Customer.retrieve, customer_id), "discount")
        return None if not discount else str(discount["coupon"]["id"])  # an id under source since clover


class _ExplicitTypes(StripeGateway):
    def save_card_with_setup_intent(self, **kwargs: Any) -> str:
        customer_id = kwargs["customer_id"]
        intent = self._call(
            stripe.SetupIntent.create,
            customer=customer_id,
            payment_method=kwargs["payment_method"],
            confirm=True,
            usage="off_session",
            idempotency_key=kwargs["idempotency_key"],
            payment_method_types=kwargs["payment_method_types"],  # refused from endive on
        )
        saved = str(intent["payment_method"])
        self._call(stripe.Customer.modify, customer_id, invoice_settings={"default_payment_method": saved})
        return saved


class ReadsCharges(ReferenceAdapter):
    """Takes the receipt's charge from ``payment_intent.charges``, a default field until 2022-11-15."""

    def handle_webhook(self, payload: bytes, signature: str) -> WebhookResult:
        try:
            event = json.loads(payload)
        except ValueError:
            event = None  # malformed: the reference handler answers it
        if isinstance(event, dict) and event.get("type") == "payment_intent.succeeded":
            self.receipt_charge = event["data"]["object"]["charges"]["data"][0]["id"]
        return super().handle_webhook(payload, signature)


class ReadsSources(_Planted):
    gateway = _ReadsSources


class ReadsBalance(_Planted):
    gateway = _ReadsBalance


class OldDiscount(_Planted):
    gateway = _OldDiscount


class ExplicitTypes(_Planted):
    gateway = _ExplicitTypes
