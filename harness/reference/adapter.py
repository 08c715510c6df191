"""The reference integration behind the harness's adapter interface."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..adapter import InvoiceView, StripeSettings, UserView, WebhookResult
from .billing import BillingService
from .connectivity import ConnectivityMonitor
from .db import connect
from .gateway import StripeGateway
from .webhooks import WebhookHandler


class ReferenceAdapter:
    """Wires the reference integration to one scenario's Stripe settings and a fresh database.

    ``verify_ttl=0`` makes every read check that the customer still exists at Stripe, so
    the repair-on-read scenarios see a deletion immediately; production keeps an hour.
    """

    def __init__(self, settings: StripeSettings, workdir: Path, *, verify_ttl: float = 3600.0) -> None:
        self.conn = connect(workdir / "billing.sqlite3")
        self.monitor = ConnectivityMonitor(self.conn)
        gateway = StripeGateway(settings.api_key, settings.api_version, self.monitor)
        self.billing = BillingService(self.conn, gateway, verify_ttl=verify_ttl)
        self.webhooks = WebhookHandler(self.conn, settings.webhook_secret)

    def signup(self, email: str) -> str:
        return str(self.billing.signup(email))

    def verify_email(self, user_id: str) -> None:
        self.billing.verify_email(self.billing.verification_token(int(user_id)))

    def get_user(self, user_id: str) -> UserView:
        row = self.billing.get_user(int(user_id))
        return UserView(
            user_id=str(row["id"]),
            email=row["email"],
            verified=bool(row["verified"]),
            billing_state=row["billing_state"],
            customer_id=row["stripe_customer_id"],
            default_payment_method=row["default_payment_method"],
            last_error=row["billing_error"],
            attempts=row["billing_attempts"],
        )

    def add_card(self, user_id: str, payment_method: str) -> None:
        self.billing.add_card(int(user_id), payment_method)

    def save_card_with_setup_intent(self, user_id: str, payment_method: str, payment_method_types: list[str]) -> None:
        self.billing.save_card_with_setup_intent(int(user_id), payment_method, payment_method_types)

    def discount_coupon(self, user_id: str) -> str | None:
        return self.billing.coupon_of(int(user_id))

    def generate_invoice(self, user_id: str, items: list[tuple[int, str]], currency: str) -> InvoiceView:
        return self.billing.generate_invoice(int(user_id), items, currency)

    def run_queued_work(self) -> int:
        return self.billing.run_jobs(ignore_backoff=True)

    def handle_webhook(self, payload: bytes, signature: str) -> WebhookResult:
        # Events must be rendered at the version the integration's calls are pinned to.
        return self.webhooks.handle(payload, signature, pinned_version=self.billing.gateway.api_version)

    def billing_snapshot(self) -> dict[str, Any]:
        """Users, invoices (with failed payment attempts, which drive dunning) and the event ledger.

        The ledger is listed id by id, not counted, so an event recorded twice shows.
        """
        users = self.conn.execute(
            "SELECT email, billing_state, stripe_customer_id, default_payment_method FROM users ORDER BY id"
        ).fetchall()
        invoices = self.conn.execute(
            "SELECT i.stripe_invoice_id, i.status, COALESCE(f.failures, 0) AS payment_failures FROM invoices i "
            "LEFT JOIN invoice_payment_failures f ON f.stripe_invoice_id = i.stripe_invoice_id ORDER BY i.id"
        ).fetchall()
        events = self.conn.execute("SELECT event_id FROM processed_events ORDER BY event_id").fetchall()
        return {
            "users": [dict(r) for r in users],
            "invoices": [dict(r) for r in invoices],
            "processed_events": [r["event_id"] for r in events],
        }

    def connectivity(self) -> dict[str, Any]:
        return self.monitor.status()

    def close(self) -> None:
        self.conn.close()
