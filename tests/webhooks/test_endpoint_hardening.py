"""Both webhook endpoints (the reference app and examples/shop) over real HTTP, against hostile input.

Each case is sent over a raw socket to the served endpoint on 127.0.0.1: bodies over the
cap, bodies that never finish, lying or unreadable Content-Lengths, and events that are
correctly signed yet malformed. Every answer must be a 4xx that names no exception, and
nothing may reach the ledger.
"""

from __future__ import annotations

import http.client
import json
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.reference.db import connect
from harness.reference.webhook_app import serve
from harness.reference.webhooks import WebhookHandler
from harness.webhooks.delivery import sign
from harness.webhooks.events import build_event
from harness.webhooks.signing import signature_header
from harness.wsgi_server import MAX_BODY, THREADS, BackgroundServer

SECRET = "whsec_hardening"
VERSION = "2024-06-20"
SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"
#: Seconds of silence after which the test servers drop a connection.
BODY_TIMEOUT = 1
#: Words that would mean an exception's text or a traceback reached the client.
LEAKS = ("Traceback", "Error:", "Exception", "sqlite", "RecursionError", "KeyError", "TypeError", "line ")


@dataclass
class Endpoint:
    host: str
    port: int
    path: str
    #: Event ids the integration has recorded as processed.
    ledger: Callable[[], list[object]]

    def connect(self) -> socket.socket:
        return socket.create_connection((self.host, self.port), timeout=10)

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        with self.connect() as sock:
            sock.sendall(_head(self.path, {"Content-Length": str(len(body)), **headers}) + body)
            return _response(sock)


def _head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json", *(
        f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _response(sock: socket.socket) -> tuple[int, str]:
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, response.read().decode()


@pytest.fixture
def reference(tmp_path: Path) -> Iterator[Endpoint]:
    conn = connect(tmp_path / "billing.sqlite3")
    handler = WebhookHandler(conn, SECRET)

    def ledger() -> list[object]:
        return [row[0] for row in conn.execute("SELECT event_id FROM processed_events")]

    with serve(lambda body, sig: handler.handle(body, sig, pinned_version=VERSION), body_timeout=BODY_TIMEOUT) as url:
        host, _, rest = url.removeprefix("http://").partition(":")
        port, _, path = rest.partition("/")
        yield Endpoint(host, int(port), "/" + path, ledger)
    conn.close()


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Endpoint]:
    monkeypatch.syspath_prepend(str(SHOP))
    from shop.app import ShopApp, ShopSettings
    from shop.server import MAX_BODY as SHOP_MAX_BODY
    from shop.server import THREADS as SHOP_THREADS
    from shop.stripe_api import StripeConfig

    app = ShopApp(ShopSettings(StripeConfig("sk_test_hardening", VERSION), SECRET, tmp_path / "shop.sqlite3"))
    server = BackgroundServer(app, max_body=SHOP_MAX_BODY, body_timeout=BODY_TIMEOUT, threads=SHOP_THREADS)
    with server:
        host, _, port = server.url.removeprefix("http://").partition(":")
        yield Endpoint(host, int(port), "/webhooks/stripe", lambda: list(app.store.keys("events")))
    app.close()


@pytest.fixture(params=["reference", "shop"])
def endpoint(request: pytest.FixtureRequest) -> Endpoint:
    return request.getfixturevalue(request.param)


def _signed(payload: bytes) -> dict[str, str]:
    return {"Stripe-Signature": signature_header(payload, SECRET)}


def _event(**changes: object) -> bytes:
    event = build_event("customer.deleted", {"id": "cus_1", "object": "customer"}, api_version=VERSION)
    return json.dumps({**event, **changes}).encode()


def test_a_good_event_is_applied_once(endpoint: Endpoint) -> None:
    delivery = sign(build_event("customer.deleted", {"id": "cus_1"}, api_version=VERSION), SECRET)
    answers = [endpoint.post(delivery.payload, {"Stripe-Signature": delivery.signature})[0] for _ in range(2)]
    assert answers == [200, 200]
    assert endpoint.ledger() == [delivery.event_id]  # the suite below would pass against a dead endpoint


def test_a_body_over_the_cap_is_refused_from_its_headers_alone(endpoint: Endpoint) -> None:
    with endpoint.connect() as sock:
        sock.sendall(_head(endpoint.path, {"Content-Length": str(300 * 1024 * 1024), "Stripe-Signature": "t=1"}))
        # Not a byte of the 300 MiB is sent: the answer can only come from the headers.
        status, body = _response(sock)
    assert status == 413
    assert not [word for word in LEAKS if word in body]
    assert endpoint.ledger() == []


def test_a_chunked_body_over_the_cap_is_cut_off_near_the_cap(endpoint: Endpoint) -> None:
    chunk = b"x" * 65536
    sent = 0
    with endpoint.connect() as sock:
        sock.sendall(_head(endpoint.path, {"Transfer-Encoding": "chunked", "Stripe-Signature": "t=1"}))
        try:
            while sent < 64 * MAX_BODY:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except OSError:  # the server answered and closed: the rest is not read
            pass
        status, _ = _response(sock)
    assert status == 413
    assert sent < 8 * MAX_BODY  # refused after about the cap, not after everything the client had


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", ""])
def test_a_content_length_that_is_not_a_number_is_a_400(endpoint: Endpoint, length: str) -> None:
    with endpoint.connect() as sock:
        sock.sendall(_head(endpoint.path, {"Content-Length": length, "Stripe-Signature": "t=1"}) + b"{}")
        status, body = _response(sock)
    assert status == 400
    assert not [word for word in LEAKS if word in body]


def test_bodies_that_never_finish_pin_no_thread_and_are_dropped(endpoint: Endpoint) -> None:
    stuck = [endpoint.connect() for _ in range(THREADS + 4)]  # more than the server has threads
    for sock in stuck:
        sock.sendall(_head(endpoint.path, {"Content-Length": "1000", "Stripe-Signature": "t=1"}) + b'{"id": "ev')

    started = time.monotonic()
    delivery = sign(build_event("customer.deleted", {"id": "cus_1"}, api_version=VERSION), SECRET)
    assert endpoint.post(delivery.payload, {"Stripe-Signature": delivery.signature})[0] == 200
    assert time.monotonic() - started < BODY_TIMEOUT  # answered while every stuck body still waits

    for sock in stuck:
        sock.settimeout(BODY_TIMEOUT + 5)  # the timeout, plus one sweep of silent connections and slack
        assert sock.recv(1) == b"", "a connection whose body never came was kept open"
        sock.close()
    assert endpoint.ledger() == [delivery.event_id]


DEEP = b'{"id":"evt_deep","type":"customer.deleted","created":1,"api_version":"' + VERSION.encode() + (
    b'","data":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
)
MALFORMED: dict[str, bytes] = {
    "data a string": _event(data="cus_1"),
    "data.object a string": _event(data={"object": "cus_1"}),
    "created a string": _event(created="yesterday"),
    "created a float": _event(created=1.5),
    "created a bool": _event(created=True),
    "created negative": _event(created=-1),
    "id a list": _event(id=["evt_1"]),
    "id an object": _event(id={"id": "evt_1"}),
    "id null": _event(id=None),
    "id empty": _event(id=""),
    "type a list": _event(type=["customer.deleted"]),
    "type null": _event(type=None),
    "object id a list": _event(data={"object": {"id": ["cus_1"], "object": "customer"}}),
    "api_version a list": _event(api_version=[VERSION]),
    "not an object": b'["evt_1"]',
    "100k-deep JSON": DEEP,
}


@pytest.mark.parametrize("payload", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_signed_but_malformed_event_is_a_400_naming_no_exception(endpoint: Endpoint, payload: bytes) -> None:
    for _ in range(2):  # a redelivery is refused too: nothing was recorded the first time
        status, body = endpoint.post(payload, _signed(payload))
        assert status == 400, body
        assert body.startswith("rejected: ") or '"rejected: ' in body, body
        assert not [word for word in LEAKS if word in body], body
    assert endpoint.ledger() == []


def test_a_signed_event_with_a_null_id_leaves_no_null_row(reference: Endpoint, tmp_path: Path) -> None:
    payload = _event(id=None)
    for _ in range(3):
        assert reference.post(payload, _signed(payload))[0] == 400
    with sqlite3.connect(tmp_path / "billing.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM processed_events WHERE event_id IS NULL").fetchone()[0] == 0
