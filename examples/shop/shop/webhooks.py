"""``POST /webhooks/stripe``: verify the raw body, then apply each event once, newest wins.

Stripe delivers at least once and in any order. The route answers synchronously: the
event id goes into the ``events`` collection in the same transaction as its effect, so a
redelivery is acknowledged without being applied again; and each object remembers the
``created`` time of the newest event applied to it, so an older event arriving late is
acknowledged but not applied (a late ``payment_method.attached`` cannot undo a newer
``detached``). Only the event payload is used, never a call back to Stripe, so a
delivery succeeds even while the API is down.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import stripe

from .billing import Payments
from .store import DocumentStore
from .stripe_api import stripe_exception

#: Seconds a signature stays valid: Stripe's own default, against replayed deliveries.
TOLERANCE = 300
#: Invoice events and the status they give an invoice the shop generated.
_INVOICE_STATUS = {"invoice.paid": "paid", "invoice.payment_failed": "payment_failed", "invoice.voided": "void"}
#: Statuses an older, late event must never overwrite.
_SETTLED = frozenset({"paid", "void"})


class WebhookRoute:
    """Turns one delivery into ``(HTTP status, body)``."""

    def __init__(self, store: DocumentStore, payments: Payments, secret: str) -> None:
        self._store, self._payments, self._secret = store, payments, secret
        # Each applier gets (event type, object) and says whether it changed anything.
        self._appliers: dict[str, Callable[[str, dict[str, Any]], bool]] = {
            "customer.deleted": self._customer_deleted,
            "payment_method.attached": self._card_attached,
            "payment_method.detached": self._card_detached,
            **dict.fromkeys(_INVOICE_STATUS, self._invoice_settled),
        }

    def deliver(self, raw: bytes, signature: str | None) -> tuple[int, str]:
        """400 for anything not signed with the endpoint secret, 200 for every verified event."""
        if not signature:
            return 400, "missing Stripe-Signature header"
        try:
            text = raw.decode("utf-8")
            # stripe 5.x formats the payload into the signed string, so it must be text.
            stripe.WebhookSignature.verify_header(text, signature, self._secret, TOLERANCE)
            event = json.loads(text)
        except (ValueError, stripe_exception("SignatureVerificationError")) as exc:
            return 400, f"rejected: {type(exc).__name__}"
        with self._store.transaction():
            if not self._store.add("events", event["id"], {"type": event["type"], "created": event["created"]}):
                return 200, "duplicate"
            obj = event["data"]["object"]
            apply = self._appliers.get(event["type"])
            if apply is None:
                return 200, "ignored"
            if not self._newest_for(obj, event["created"]):
                return 200, "stale"
            return 200, "applied" if apply(event["type"], obj) else "no change"

    def _newest_for(self, obj: dict[str, Any], created: int) -> bool:
        seen = self._store.get("event_marks", obj["id"])
        if seen is not None and created < seen["created"]:
            return False
        self._store.put("event_marks", obj["id"], {"created": created})
        return True

    def _users_where(self, path: str, value: Any) -> list[tuple[str, dict[str, Any]]]:
        return self._store.find("users", path, value) if value else []

    def _customer_deleted(self, _: str, customer: dict[str, Any]) -> bool:
        found = self._users_where("$.billing.customer", customer["id"])
        for user_id, _ in found:
            self._payments.forget_customer(user_id)
        return bool(found)

    def _card_attached(self, _: str, card: dict[str, Any]) -> bool:
        changed = False
        for user_id, user in self._users_where("$.billing.customer", card.get("customer")):
            if user["billing"]["card"] is None:
                user["billing"]["card"] = card["id"]
                self._store.put("users", user_id, user)
                changed = True
        return changed

    def _card_detached(self, _: str, card: dict[str, Any]) -> bool:
        found = self._users_where("$.billing.card", card["id"])
        for user_id, user in found:
            user["billing"]["card"] = None
            self._store.put("users", user_id, user)
        return bool(found)

    def _invoice_settled(self, event_type: str, invoice: dict[str, Any]) -> bool:
        changed = False
        for number, record in self._store.find("invoices", "$.stripe_id", invoice["id"]):
            if record["status"] not in _SETTLED:
                record["status"] = _INVOICE_STATUS[event_type]
                self._store.put("invoices", number, record)
                changed = True
        return changed
