"""``POST /webhooks/stripe``: verify the raw body, then apply each event once, newest wins.

Stripe delivers at least once, in any order and in parallel. The route answers
synchronously: the event id goes into the ``events`` collection in the same transaction
as its effect (``BEGIN IMMEDIATE``, so parallel deliveries of one event take turns and
only the first applies it), so a redelivery is acknowledged without being applied again.
Each object remembers the newest event applied to it, by ``created`` and then by how far
along the object's lifecycle the event is (``created`` has one-second resolution), and
an event that can never be undone at Stripe (a detach, a payment, a deletion) outranks
any other: an older event arriving late is acknowledged but not applied (a late
``payment_method.attached`` cannot undo a newer ``detached``). An event rendered at
another API version than the shop is pinned to is refused with 400 and not recorded, so
Stripe's retry applies it once the endpoint's version is fixed. Only the event payload
is used, never a call back to Stripe, so a delivery succeeds even while the API is down.
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
#: How far along its object's lifecycle each handled event is. ``created`` only has
#: one-second resolution, so two events about one object in the same second are
#: ordered by this: a card attached and detached within a second ends detached.
_STAGE = {
    "setup_intent.succeeded": 0, "payment_method.attached": 1, "payment_method.detached": 2,
    "invoice.payment_failed": 1, "invoice.paid": 2, "invoice.voided": 2, "customer.deleted": 2,
}
#: Events no later event can undo at Stripe (a detached card is never reattached, a paid
#: invoice stays paid, a deleted customer stays deleted): they win whatever their ``created``.
_FINAL = frozenset({"payment_method.detached", "invoice.paid", "invoice.voided", "customer.deleted"})


def _subject_field(event_type: str) -> str:
    """The field naming the object an event is about: a SetupIntent's is the card it set up."""
    return "payment_method" if event_type == "setup_intent.succeeded" else "id"


def _malformed(event: Any) -> str | None:
    """What makes a parsed body unusable as an event, or None: the fields the route relies on, typed."""
    if not isinstance(event, dict):
        return "the body is not a JSON object"
    checks = (
        ("id", lambda v: isinstance(v, str) and 0 < len(v) <= 255, "a non-empty string of at most 255 characters"),
        ("type", lambda v: isinstance(v, str) and bool(v), "a non-empty string"),
        ("created", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a Unix time in seconds"),
        ("data", lambda v: isinstance(v, dict) and isinstance(v.get("object"), dict), "an object with an object"),
        ("api_version", lambda v: v is None or isinstance(v, str), "a string"),
    )
    for key, valid, expected in checks:
        if not valid(event.get(key)):
            return f"{key} must be {expected}"
    return None


class WebhookRoute:
    """Turns one delivery into ``(HTTP status, body)``."""

    def __init__(self, store: DocumentStore, payments: Payments, secret: str, api_version: str) -> None:
        self._store, self._payments, self._secret = store, payments, secret
        self._api_version = api_version
        # Each applier gets (event type, object) and says whether it changed anything.
        self._appliers: dict[str, Callable[[str, dict[str, Any]], bool]] = {
            "customer.deleted": self._customer_deleted,
            "payment_method.attached": self._card_attached,
            "setup_intent.succeeded": self._card_set_up,
            "payment_method.detached": self._card_detached,
            **dict.fromkeys(_INVOICE_STATUS, self._invoice_settled),
        }

    def deliver(self, raw: bytes, signature: str | None) -> tuple[int, str]:
        """400 for anything not signed with the endpoint secret or not usable, 200 for every applied event."""
        if not signature:
            return 400, "missing Stripe-Signature header"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return 400, "rejected: the body is not UTF-8"
        try:
            # stripe 5.x formats the payload into the signed string, so it must be text.
            stripe.WebhookSignature.verify_header(text, signature, self._secret, TOLERANCE)
        except (ValueError, stripe_exception("SignatureVerificationError")):
            return 400, "rejected: the signature is too old or not made with this endpoint's secret for this body"
        try:
            event = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
            return 400, "rejected: the body is not a JSON document"
        problem = _malformed(event)
        if problem is None and event["type"] in self._appliers:
            subject = _subject_field(event["type"])
            found = event["data"]["object"].get(subject)
            if found is not None and self._subject(event["type"], event["data"]["object"]) is None:
                problem = f"data.object.{subject} must be an id or an expanded object"
        if problem:
            # Signed, so Stripe (or someone holding the secret) sent it, but no code here can
            # apply it: refused before the ledger, so it is never half-applied or recorded.
            return 400, f"rejected: not a Stripe event: {problem}"
        if event.get("api_version") != self._api_version:
            # The payload has another version's shape, which this code was not written
            # for. Refused and kept out of the ledger, Stripe retries it for days: once
            # the endpoint's version is corrected, the retry is applied.
            return 400, (
                f"rejected: event {event['id']} is rendered at API version {event.get('api_version')}, "
                f"the shop is pinned to {self._api_version}; set the webhook endpoint's API version "
                f"to {self._api_version} in the Stripe Dashboard"
            )
        return self._apply(event)

    def _apply(self, event: dict[str, Any]) -> tuple[int, str]:
        with self._store.transaction():
            if not self._store.add("events", event["id"], {"type": event["type"], "created": event["created"]}):
                return 200, "duplicate"
            obj = event["data"]["object"]
            apply = self._appliers.get(event["type"])
            subject = self._subject(event["type"], obj)
            if apply is None or subject is None:
                return 200, "ignored"
            if not self._newest_for(subject, event):
                return 200, "stale"
            return 200, "applied" if apply(event["type"], obj) else "no change"

    @staticmethod
    def _subject(event_type: str, obj: dict[str, Any]) -> str | None:
        """The object whose state the event is about: for a SetupIntent, the card it set up."""
        found = obj.get(_subject_field(event_type))
        if isinstance(found, dict):
            found = found.get("id")
        return found if isinstance(found, str) and found else None

    def _newest_for(self, subject: str, event: dict[str, Any]) -> bool:
        """Whether ``event`` is at least as new as every event already applied to ``subject``."""
        mine = [event["type"] in _FINAL, int(event["created"]), _STAGE[event["type"]]]
        seen = self._store.get("event_marks", subject)
        if seen is not None and mine < seen["order"]:
            return False
        self._store.put("event_marks", subject, {"order": mine, "event": event["id"]})
        return True

    def _users_where(self, path: str, value: Any) -> list[tuple[str, dict[str, Any]]]:
        return self._store.find("users", path, value) if isinstance(value, str) and value else []

    def _customer_deleted(self, _: str, customer: dict[str, Any]) -> bool:
        found = self._users_where("$.billing.customer", customer["id"])
        for user_id, _ in found:
            self._payments.forget_customer(user_id)
        return bool(found)

    def _card_attached(self, _: str, card: dict[str, Any]) -> bool:
        return self._offer_card(card.get("customer"), card["id"])

    def _card_set_up(self, _: str, setup: dict[str, Any]) -> bool:
        card = setup["payment_method"]
        return self._offer_card(setup.get("customer"), card["id"] if isinstance(card, dict) else card)

    def _offer_card(self, customer: Any, card: str) -> bool:
        """A card the customer now has becomes the default only if the user has none."""
        if isinstance(customer, dict):
            customer = customer.get("id")
        changed = False
        for user_id, user in self._users_where("$.billing.customer", customer):
            if user["billing"]["card"] is None:
                user["billing"]["card"] = card
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
