"""The webhook endpoint's logic: verify, deduplicate, apply, in one transaction.

Stripe delivers at least once and in no particular order. The event id goes into a
ledger in the same transaction as the effect, so a duplicate is acknowledged without
being applied twice, and a crash between the two cannot happen. Per object, an event
older than one already applied is recorded but not applied, so a late
``payment_method.attached`` cannot undo a newer ``detached``. Signature checks use the
library's own ``Webhook.construct_event``, which every stripe-python release has.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

import stripe

from ..adapter import WebhookResult
from ..stripe_http import stripe_error
from .gateway import field

#: Invoice statuses that a later-arriving older event must never overwrite.
_FINAL_INVOICE_STATES = frozenset({"paid", "void"})


class WebhookHandler:
    """Applies verified events to the billing database exactly once."""

    def __init__(self, conn: sqlite3.Connection, secret: str, *, tolerance: int = 300) -> None:
        self.conn = conn
        self.secret = secret
        self.tolerance = tolerance

    def handle(self, payload: bytes, signature: str) -> WebhookResult:
        """Answer one delivery: 400 for anything unverifiable, 200 otherwise."""
        try:
            stripe.Webhook.construct_event(payload, signature, self.secret, tolerance=self.tolerance)
        except (ValueError, stripe_error("SignatureVerificationError")) as exc:
            return WebhookResult(400, f"rejected: {type(exc).__name__}")
        data = json.loads(payload)  # plain JSON: the event object's API differs across releases
        return self.apply(data)

    def apply(self, event: dict[str, Any]) -> WebhookResult:
        """Record and apply a verified event; duplicates are acknowledged and skipped."""
        event_id, kind = event["id"], event["type"]
        obj = event["data"]["object"]
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            if self.conn.execute("SELECT 1 FROM processed_events WHERE event_id = ?", (event_id,)).fetchone():
                self.conn.execute("COMMIT")
                return WebhookResult(200, "duplicate")
            applied = self._is_newest(obj, int(event["created"])) and self._apply(kind, obj)
            self.conn.execute(
                "INSERT INTO processed_events (event_id, type, processed_at) VALUES (?, ?, ?)",
                (event_id, kind, time.time()),
            )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return WebhookResult(200, "applied" if applied else "ignored")

    def _is_newest(self, obj: dict[str, Any], created: int) -> bool:
        object_id = obj.get("id")
        if not object_id:
            return True
        row = self.conn.execute(
            "SELECT last_event_created FROM object_versions WHERE object_id = ?", (object_id,)
        ).fetchone()
        if row is not None and created < row["last_event_created"]:
            return False
        self.conn.execute(
            "INSERT INTO object_versions (object_id, last_event_created) VALUES (?, ?) "
            "ON CONFLICT(object_id) DO UPDATE SET last_event_created = excluded.last_event_created",
            (object_id, created),
        )
        return True

    def _apply(self, kind: str, obj: dict[str, Any]) -> bool:
        customer = field(obj, "customer")
        if kind == "customer.deleted":
            return self._update_users(
                "billing_state = 'missing', stripe_customer_id = NULL, default_payment_method = NULL, "
                "customer_generation = customer_generation + 1",
                "stripe_customer_id = ?", (obj["id"],),
            )
        if kind in ("payment_method.attached", "setup_intent.succeeded"):
            pm = obj["id"] if kind == "payment_method.attached" else field(obj, "payment_method")
            return self._update_users(
                "default_payment_method = ?", "stripe_customer_id = ? AND default_payment_method IS NULL",
                (pm, customer),
            )
        if kind == "payment_method.detached":
            return self._update_users("default_payment_method = NULL", "default_payment_method = ?", (obj["id"],))
        if kind in ("invoice.paid", "invoice.payment_failed"):
            status = "paid" if kind == "invoice.paid" else "payment_failed"
            final = ",".join(f"'{s}'" for s in _FINAL_INVOICE_STATES)
            cur = self.conn.execute(
                "UPDATE invoices SET status = ?, updated_at = ? "
                f"WHERE stripe_invoice_id = ? AND status NOT IN ({final})",
                (status, time.time(), obj["id"]),
            )
            return cur.rowcount > 0
        return False

    def _update_users(self, assignments: str, where: str, params: tuple[Any, ...]) -> bool:
        cur = self.conn.execute(f"UPDATE users SET {assignments} WHERE {where}", params)
        return cur.rowcount > 0
