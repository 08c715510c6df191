"""The shop under stripe-compat: the one file a team writes to adopt the harness.

The adapter starts the real WSGI app on 127.0.0.1 and a free port and drives it over
HTTP, the way a browser, Stripe and an operator would: the scenarios then prove the
shop's routes, its storage and its webhook endpoint, not a shortcut around them. The
harness's :class:`StripeSettings` become the shop's own :class:`StripeConfig`, so every
Stripe request goes through the harness's backend (replay, localstripe or a test key).
"""

from __future__ import annotations

import http.client
import json
import threading
from pathlib import Path
from typing import Any

from harness.adapter import InvoiceView, PaymentUnavailable, StripeSettings, UserView, WebhookResult
from harness.wsgi_server import BackgroundServer

from .app import ShopApp, ShopSettings
from .server import BODY_TIMEOUT, MAX_BODY, THREADS
from .stripe_api import StripeConfig


def _exchange(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None,
              headers: dict[str, str]) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


class ShopHTTPError(RuntimeError):
    """The shop answered a route with a status the adapter did not expect."""


class ShopAdapter:
    """Implements :class:`harness.adapter.BillingAdapter` over the shop's HTTP routes."""

    def __init__(self, settings: StripeSettings, workdir: Path) -> None:
        stripe = StripeConfig(settings.api_key, settings.api_version, settings.api_base, settings.http_client)
        self._app = ShopApp(ShopSettings(stripe, settings.webhook_secret, workdir / "shop.sqlite3"))
        self._server = BackgroundServer(self._app, max_body=MAX_BODY, body_timeout=BODY_TIMEOUT, threads=THREADS)
        self._host = self._server.url.removeprefix("http://")
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[http.client.HTTPConnection] = []

    def _send(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
              ) -> tuple[int, bytes]:
        conn = self._connection()
        reused = conn.sock is not None
        try:
            return _exchange(conn, method, path, body, headers or {})
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()  # reopened by the next request
            if not reused:
                raise
            # The shop closes a connection left idle for BODY_TIMEOUT, and only between requests:
            # this one never reached it, so sending it again cannot apply it twice.
            return _exchange(conn, method, path, body, headers or {})
        except (http.client.HTTPException, OSError):
            conn.close()
            raise

    def _connection(self) -> http.client.HTTPConnection:
        """This thread's kept-alive connection to the shop: webhook scenarios call from several
        threads at once, and an http.client connection must not be shared between them."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(self._host, timeout=60)
            with self._lock:
                self._connections.append(conn)
        return conn

    def _json(self, method: str, path: str, payload: Any = None, *, expect: int = 200, payment: bool = False) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        status, body = self._send(method, path, data, {"Content-Type": "application/json"})
        answer = json.loads(body)
        if payment and status in (402, 503):  # the shop's "payments unavailable" answers
            raise PaymentUnavailable(answer["error"])
        if status != expect:
            msg = f"{method} {path} answered {status} (expected {expect}): {answer.get('error', answer)}"
            raise ShopHTTPError(msg)
        return answer

    def signup(self, email: str) -> str:
        return str(self._json("POST", "/signup", {"email": email}, expect=201)["user_id"])

    def verify_email(self, user_id: str) -> None:
        mail = self._json("GET", f"/dev/outbox/{user_id}")
        self._json("GET", mail["link"])

    def get_user(self, user_id: str) -> UserView:
        user = self._json("GET", f"/users/{user_id}")
        billing = user["billing"]
        return UserView(
            user_id=user["user_id"], email=user["email"], verified=user["verified"],
            billing_state=billing["state"], customer_id=billing["customer"], default_payment_method=billing["card"],
            last_error=billing["error"], attempts=billing["attempts"],
        )

    def add_card(self, user_id: str, payment_method: str) -> None:
        self._json("POST", f"/users/{user_id}/cards", {"payment_method": payment_method}, expect=201, payment=True)

    def generate_invoice(self, user_id: str, items: list[tuple[int, str]], currency: str) -> InvoiceView:
        lines = [{"amount": amount, "description": text} for amount, text in items]
        invoice = self._json(
            "POST", f"/users/{user_id}/invoices", {"lines": lines, "currency": currency}, expect=201, payment=True
        )
        return InvoiceView(invoice["stripe_id"], invoice["status"], invoice["total"], invoice["currency"])

    def run_queued_work(self) -> int:
        return int(self._json("POST", "/ops/jobs/run", {"ignore_backoff": True})["ran"])

    def handle_webhook(self, payload: bytes, signature: str) -> WebhookResult:
        status, body = self._send("POST", "/webhooks/stripe", payload, {"Stripe-Signature": signature})
        return WebhookResult(status, body.decode())

    def billing_snapshot(self) -> dict[str, Any]:
        overview = self._json("GET", "/ops/billing")
        # Scenarios read users' "billing_state" and invoices as {"stripe_invoice_id", "status"};
        # the shop says "state" and "stripe_id". "processed_events" is the shop's own.
        overview["users"] = [
            {"email": u["email"], "billing_state": u["state"], "customer_id": u["customer"],
             "default_payment_method": u["card"]}
            for u in overview["users"]
        ]
        overview["invoices"] = [
            {"stripe_invoice_id": inv["stripe_id"], "status": inv["status"]} for inv in overview["invoices"]
        ]
        return overview

    def connectivity(self) -> dict[str, Any]:
        return self._json("GET", "/health/stripe")

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
        self._server.close()
        self._app.close()
