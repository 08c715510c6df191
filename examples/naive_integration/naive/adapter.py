"""The naive app behind stripe-compat's adapter interface, translating only.

It declares what the app does not have, so those scenarios read "not applicable"
instead of failing for a feature that was never built.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from harness.adapter import PaymentUnavailable, StripeSettings, UserView, WebhookResult

from .app import NaiveApp


class NaiveAdapter:
    """Drives :class:`NaiveApp` route by route; a route that raises is the framework's 500."""

    lacks = frozenset({"invoicing", "queue", "monitoring"})

    def __init__(self, settings: StripeSettings, workdir: Path) -> None:
        self.app = NaiveApp(settings.api_key, settings.webhook_secret)
        self._lock = threading.Lock()  # one request at a time, as a one-worker development server runs

    def signup(self, email: str) -> str:
        body, _ = self.app.signup(email)
        return str(json.loads(body)["user_id"])

    def verify_email(self, user_id: str) -> None:
        self.app.verify(int(user_id))

    def get_user(self, user_id: str) -> UserView:
        user = json.loads(self.app.user(int(user_id))[0])["user"]
        return UserView(
            user_id=str(user["id"]),
            email=user["email"],
            verified=bool(user["verified"]),
            billing_state="ready" if user["customer_id"] else "none",
            customer_id=user["customer_id"],
            default_payment_method=user["default_pm"],
            last_error=None,
            attempts=0,
        )

    def add_card(self, user_id: str, payment_method: str) -> None:
        body, status = self.app.add_card(int(user_id), payment_method)
        if status != 200:
            raise PaymentUnavailable(json.loads(body)["error"])

    def handle_webhook(self, payload: bytes, signature: str) -> WebhookResult:
        with self._lock:
            try:
                body, status = self.app.webhook(payload, signature)
            except Exception:
                return WebhookResult(500, "Internal Server Error")
        return WebhookResult(status, body)

    def billing_snapshot(self) -> dict:
        with self._lock:
            return self.app.snapshot()

    def close(self) -> None:
        """Nothing to release: the app keeps its state in memory."""
