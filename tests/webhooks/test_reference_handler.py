"""The reference webhook handler's rules, on a bare database: ties, versions, ledger, raw HTTP bodies."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.adapter import WebhookResult
from harness.reference.db import connect
from harness.reference.webhook_app import serve
from harness.reference.webhooks import WebhookHandler
from harness.webhooks.delivery import http_sender, sign, sign_all
from harness.webhooks.events import build_event, encode, encode_all
from harness.webhooks.patterns import multiply, with_duplicates

SECRET = "whsec_unit"
VERSION = "2024-06-20"


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = connect(tmp_path / "db.sqlite3")
    conn.execute(
        "INSERT INTO users (email, created_at, stripe_customer_id, billing_state, default_payment_method) "
        "VALUES ('ada@example.com', 0, 'cus_1', 'ready', NULL)"
    )
    yield conn
    conn.close()


def _deliver(handler: WebhookHandler, event: dict) -> WebhookResult:
    d = sign(event, SECRET)
    return handler.handle(d.payload, d.signature, pinned_version=VERSION)


def _card(event_type: str, created: int, customer: str | None = "cus_1") -> dict:
    obj = {"id": "pm_1", "object": "payment_method", "customer": customer}
    return build_event(event_type, obj, api_version=VERSION, created=created)


def _default(conn: sqlite3.Connection) -> str | None:
    return conn.execute("SELECT default_payment_method FROM users").fetchone()[0]


@pytest.mark.parametrize("detach_first", [True, False])
def test_same_second_attach_and_detach_end_detached(conn: sqlite3.Connection, detach_first: bool) -> None:
    handler = WebhookHandler(conn, SECRET)
    events = [_card("payment_method.attached", 100), _card("payment_method.detached", 100, customer=None)]
    for event in reversed(events) if detach_first else events:
        assert _deliver(handler, event).status == 200
    assert _default(conn) is None


def test_a_late_older_attach_does_not_undo_a_detach(conn: sqlite3.Connection) -> None:
    handler = WebhookHandler(conn, SECRET)
    _deliver(handler, _card("payment_method.attached", 100))
    assert _default(conn) == "pm_1"
    _deliver(handler, _card("payment_method.detached", 105, customer=None))
    assert _deliver(handler, _card("payment_method.attached", 101)).body == "stale"
    assert _default(conn) is None


def test_other_api_version_is_refused_unrecorded_with_what_to_do(conn: sqlite3.Connection) -> None:
    handler = WebhookHandler(conn, SECRET)
    event = build_event("payment_method.attached", {"id": "pm_1", "customer": "cus_1"}, api_version="2020-08-27")
    result = _deliver(handler, event)
    assert result.status == 400
    assert "2020-08-27" in result.body
    assert "Set the webhook endpoint's API version to 2024-06-20" in result.body
    assert conn.execute("SELECT COUNT(*) FROM processed_events").fetchone()[0] == 0


def test_duplicate_is_acknowledged_and_not_applied_again(conn: sqlite3.Connection) -> None:
    handler = WebhookHandler(conn, SECRET)
    conn.execute("INSERT INTO invoices (user_id, stripe_invoice_id, status, currency, updated_at) "
                 "VALUES (1, 'in_1', 'open', 'usd', 0)")
    failed = build_event("invoice.payment_failed", {"id": "in_1", "object": "invoice"}, api_version=VERSION)
    assert [_deliver(handler, failed).body for _ in range(3)] == ["applied", "duplicate", "duplicate"]
    assert conn.execute("SELECT failures FROM invoice_payment_failures").fetchone()[0] == 1


def test_http_endpoint_hands_the_exact_raw_bytes_to_the_handler() -> None:
    seen: list[bytes] = []

    def handle(payload: bytes, signature: str) -> WebhookResult:
        seen.append(payload)
        return WebhookResult(200, signature)

    # Non-ASCII and odd spacing: re-encoding the JSON anywhere on the way would break a signature.
    body = '{"id": "evt_1",  "name":"Zoë \\u00e9"}\n'.encode()
    with serve(handle) as url:
        result = http_sender(url)(body, "t=1,v1=abc")
    assert (seen, result) == ([body], WebhookResult(200, "t=1,v1=abc"))


def test_storm_builder_makes_distinct_events_and_the_asked_share_of_duplicates() -> None:
    template = build_event("invoice.paid", {"id": "in_1"}, api_version=VERSION, created=10)
    events = multiply([template], 1000)
    assert len({e["id"] for e in events}) == 1000
    assert events[-1]["created"] == 10 + 999
    deliveries = [sign(e, SECRET) for e in events]
    storm = with_duplicates(deliveries, share=0.3, seed=1)
    duplicates = len(storm) - len({d.event_id for d in storm})
    assert duplicates / len(storm) == pytest.approx(0.3, abs=0.01)
    assert [json.loads(d.payload)["id"] for d in storm[:50]] != [e["id"] for e in events[:50]]  # reordered


def test_a_storm_is_encoded_byte_for_byte_as_each_event_alone(conn: sqlite3.Connection) -> None:
    # encode_all shares the clones' values; a shared value written once for all would corrupt every later body.
    card = {"id": "pm_1", "object": "payment_method", "customer": "cus_1", "billing_details": {"name": "Zoë"}}
    templates = [_card("payment_method.attached", 10), build_event("invoice.paid", {"id": "in_1"}, api_version=VERSION),
                 {**_card("payment_method.detached", 11), "data": {"object": card}, "livemode": 1}]
    events = multiply(templates, 300)
    assert encode_all(events) == [encode(e) for e in events]
    signed = sign_all(events, SECRET)
    assert [d.event_id for d in signed] == [e["id"] for e in events]
    handler = WebhookHandler(conn, SECRET)
    assert {handler.handle(d.payload, d.signature, pinned_version=VERSION).status for d in signed} == {200}


def test_an_event_with_nothing_to_apply_is_still_claimed_once_in_the_ledger(conn: sqlite3.Connection) -> None:
    handler = WebhookHandler(conn, SECRET)
    created = build_event("customer.created", {"id": "cus_9", "object": "customer"}, api_version=VERSION)
    assert [_deliver(handler, created).body for _ in range(2)] == ["ignored", "duplicate"]
    assert [tuple(r) for r in conn.execute("SELECT event_id FROM processed_events")] == [(created["id"],)]
