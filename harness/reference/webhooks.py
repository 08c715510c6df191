"""The webhook endpoint's logic: verify, deduplicate, apply, in one transaction.

Stripe delivers at least once, in no particular order, and renders each event at the
endpoint's API version. So:

* the event id goes into a ledger in the same transaction as the effect: a duplicate
  is acknowledged (200) without being applied twice, and no crash can separate them;
* each object's newest known state is kept with the version of the event that set it,
  and the integration's columns are recomputed from those states, so the result is a
  function of *which* events arrived, never of their order;
* an event rendered at another API version than the one the integration is pinned to
  is refused (400) and left out of the ledger: its payload may lack fields the code
  reads, and Stripe keeps retrying it for three days, so once the endpoint's version is
  fixed in the Dashboard the retry is applied. Accepting it would hide the mismatch.

Signatures are checked with ``stripe.WebhookSignature.verify_header``, which every
stripe-python release has; the body is then parsed as plain JSON (with orjson, strict
JSON at a third of the standard library's cost) because the event object's Python API
differs across releases, and checked field by field before anything
is written (:func:`parse_event`). A signature proves who sent a body, not that it is a
well-formed event: a signed event whose ``id`` is null or a list, whose ``created`` is no
integer or whose ``data`` is a string is refused (400), and never reaches the ledger.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

import orjson
import stripe

from ..adapter import WebhookResult
from ..stripe_http import stripe_error


@dataclass(frozen=True)
class Rule:
    """What one event type says about its subject object.

    ``rank`` breaks ties on ``created``, which has 1-second resolution: the state further
    along the object's lifecycle wins, so a same-second attach and detach end detached
    (never charge a card that may be gone). ``terminal`` states can never be left again
    at Stripe (a detached PaymentMethod cannot be reattached, a paid invoice stays paid),
    so they win over any event, however late its ``created``.
    """

    kind: str
    state: str
    rank: int
    terminal: bool = False


RULES: dict[str, Rule] = {
    "setup_intent.succeeded": Rule("payment_method", "attached", 0),
    "payment_method.attached": Rule("payment_method", "attached", 1),
    "payment_method.detached": Rule("payment_method", "detached", 2, terminal=True),
    "invoice.payment_failed": Rule("invoice", "payment_failed", 1),
    "invoice.paid": Rule("invoice", "paid", 2, terminal=True),
    "customer.deleted": Rule("customer", "deleted", 3, terminal=True),
}


REFUSED_SIGNATURE = (
    "rejected: the Stripe-Signature header is missing, too old or not made with this endpoint's secret for this body"
)
#: Longest event id accepted; Stripe's are about 30 characters.
MAX_EVENT_ID = 255


class MalformedEvent(ValueError):
    """A verified body that is not an event this handler can apply; the message says which field is wrong."""


@dataclass(frozen=True)
class Event:
    """The fields of a verified event the handler uses, each of the type it expects."""

    id: str
    type: str
    created: int
    api_version: Any
    #: The id of the object whose state a handled event changes; None for unhandled types.
    subject: str | None = None
    #: The customer the subject belongs to, when the payload names one.
    customer: str | None = None


def _object_id(value: Any, name: str) -> str | None:
    """An id as Stripe sends it: a string, an expanded object carrying one, or null."""
    if isinstance(value, dict):
        value = value.get("id")
    if value is None or (isinstance(value, str) and value):
        return value
    msg = f"{name} must be an id string, an expanded object or null"
    raise MalformedEvent(msg)


def parse_event(event: Any) -> Event:
    """The event's fields, checked; :class:`MalformedEvent` names the first one that is wrong."""
    if not isinstance(event, dict) or not {"id", "type", "created", "data"} <= event.keys():
        msg = "not a Stripe event (a JSON object with id, type, created, data)"
        raise MalformedEvent(msg)
    event_id, kind, created, data = event["id"], event["type"], event["created"], event["data"]
    # Checked one after the other, so the message of a field that is fine is never built.
    if not isinstance(event_id, str) or not 0 < len(event_id) <= MAX_EVENT_ID:
        raise MalformedEvent(f"id must be a non-empty string of at most {MAX_EVENT_ID} characters")
    if not isinstance(kind, str) or not kind:
        raise MalformedEvent("type must be a non-empty string")
    if not isinstance(created, int) or isinstance(created, bool) or created < 0:
        raise MalformedEvent("created must be a Unix time in whole seconds")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise MalformedEvent("data.object must be an object")
    if kind not in RULES:
        return Event(event_id, kind, created, event.get("api_version"))
    obj = data["object"]
    subject_field = "payment_method" if kind == "setup_intent.succeeded" else "id"
    return Event(
        event_id, kind, created, event.get("api_version"),
        subject=_object_id(obj.get(subject_field), f"data.object.{subject_field}"),
        customer=_object_id(obj.get("customer"), "data.object.customer"),
    )


class WebhookHandler:
    """Applies verified events to the billing database exactly once, in any order."""

    def __init__(self, conn: sqlite3.Connection, secret: str, *, tolerance: int = 300) -> None:
        self.conn = conn
        self.secret = secret
        self.tolerance = tolerance
        # One connection serves every thread of the web server, and SQLite transactions
        # belong to the connection: deliveries take turns on it. Separate processes, each
        # with its own connection, are serialised by BEGIN IMMEDIATE instead.
        self._lock = threading.Lock()
        # Looked up once: in stripe 14.4.1 and 16.1.0 every module attribute access goes through a lazy-import
        # __getattr__, a measurable share of a 10,000-delivery storm.
        self._verify_header = stripe.WebhookSignature.verify_header

    def handle(self, payload: bytes, signature: str, *, pinned_version: str) -> WebhookResult:
        """Answer one delivery: 400 for anything unverifiable or unusable, 200 otherwise."""
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            return WebhookResult(400, "rejected: the body is not UTF-8")
        try:
            self._verify_header(text, signature, self.secret, self.tolerance)
        except (ValueError, stripe_error("SignatureVerificationError")):
            return WebhookResult(400, REFUSED_SIGNATURE)
        try:
            event = parse_event(orjson.loads(payload))
        except MalformedEvent as exc:
            return WebhookResult(400, f"rejected: {exc}")
        except ValueError:  # orjson's JSONDecodeError, also for nesting deeper than it parses
            return WebhookResult(400, "rejected: the body is not a JSON document")
        if event.api_version != pinned_version:
            return WebhookResult(
                400,
                f"rejected: api_version mismatch: event rendered at {event.api_version}, integration "
                f"pinned to {pinned_version}. Set the webhook endpoint's API version to {pinned_version} "
                "(Dashboard > Developers > Webhooks); Stripe retries this event, and the retry will be applied.",
            )
        return self.apply(event)

    def apply(self, event: Event) -> WebhookResult:
        """Record and apply a verified event; duplicates are acknowledged and skipped."""
        rule = RULES.get(event.type)
        with self._lock:
            if rule is None or event.subject is None:
                # Nothing to apply, so the claim is the whole transaction: one statement, autocommitted.
                claimed = self._claim(event)
                return WebhookResult(200, "ignored" if claimed else "duplicate")
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                # Claiming the id first answers "seen before?" and records it in one statement;
                # the effect follows in the same transaction, so a failure un-claims it.
                if not self._claim(event):
                    self.conn.execute("COMMIT")
                    return WebhookResult(200, "duplicate")
                outcome = self._apply(event, rule, event.subject)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        return WebhookResult(200, outcome)

    def _claim(self, event: Event) -> bool:
        """Put the event id in the ledger; False when it was there already."""
        return self.conn.execute(
            "INSERT OR IGNORE INTO processed_events (event_id, type, processed_at) VALUES (?, ?, ?)",
            (event.id, event.type, event.created),
        ).rowcount == 1

    def _apply(self, event: Event, rule: Rule, subject: str) -> str:
        if rule.kind == "invoice" and rule.state == "payment_failed":
            # Every failed attempt is a fact (it drives dunning), whatever arrives later.
            self.conn.execute(
                "INSERT INTO invoice_payment_failures (stripe_invoice_id, failures) VALUES (?, 1) "
                "ON CONFLICT(stripe_invoice_id) DO UPDATE SET failures = failures + 1",
                (subject,),
            )
        newest = self._record(subject, rule, event.created, event.customer)
        if rule.kind == "payment_method":
            self._recompute_default(subject)
        elif rule.kind == "invoice" and newest:
            self.conn.execute(
                "UPDATE invoices SET status = ?, updated_at = ? WHERE stripe_invoice_id = ?",
                (rule.state, event.created, subject),
            )
        elif rule.kind == "customer":
            self.conn.execute(
                "UPDATE users SET billing_state = 'missing', stripe_customer_id = NULL, "
                "default_payment_method = NULL, customer_generation = customer_generation + 1 "
                "WHERE stripe_customer_id = ?",
                (subject,),
            )
        return "applied" if newest else "stale"

    def _record(self, object_id: str, rule: Rule, created: int, customer_id: str | None) -> bool:
        """Keep ``object_id``'s newest state; true when this event is (or ties) the newest.

        The customer is kept from whichever event named it: a detached card's payload
        no longer says whose it was.
        """
        version = (int(rule.terminal), created, rule.rank)
        row = self.conn.execute(
            "SELECT terminal, event_created, event_rank FROM webhook_objects WHERE object_id = ?", (object_id,)
        ).fetchone()
        newest = row is None or version >= tuple(row)
        if row is None:
            self.conn.execute(
                "INSERT INTO webhook_objects (object_id, kind, customer_id, state, terminal, event_created, "
                "event_rank) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (object_id, rule.kind, customer_id, rule.state, *version),
            )
        elif newest:
            self.conn.execute(
                "UPDATE webhook_objects SET customer_id = COALESCE(customer_id, ?), state = ?, terminal = ?, "
                "event_created = ?, event_rank = ? WHERE object_id = ?",
                (customer_id, rule.state, *version, object_id),
            )
        else:
            self.conn.execute(
                "UPDATE webhook_objects SET customer_id = COALESCE(customer_id, ?) WHERE object_id = ?",
                (customer_id, object_id),
            )
        return newest

    def _recompute_default(self, payment_method: str) -> None:
        """Set each affected user's default card from the cards' newest states.

        The integration makes the newest card a user adds their default, so that is the
        rule here too: the newest attached card (ties by rank, then id) among those the
        webhooks know. A default the webhooks know nothing about was set by the API flow
        and stays until an event about it arrives. Recomputing from states, rather than
        patching the current value, is what makes the result independent of order.
        """
        self.conn.execute(
            "UPDATE users SET default_payment_method = ("
            "  SELECT object_id FROM webhook_objects WHERE kind = 'payment_method' AND state = 'attached' "
            "  AND customer_id = users.stripe_customer_id "
            "  ORDER BY event_created DESC, event_rank DESC, object_id DESC LIMIT 1) "
            "WHERE (stripe_customer_id = (SELECT customer_id FROM webhook_objects WHERE object_id = :card) "
            "       OR default_payment_method = :card) "
            "AND (default_payment_method IS NULL "
            "     OR default_payment_method IN (SELECT object_id FROM webhook_objects))",
            {"card": payment_method},
        )
