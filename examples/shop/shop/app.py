"""The shop's WSGI application: its routes and the objects behind them.

:class:`ShopApp` is the composition root: production builds it from the environment
(``python -m shop``), the stripe-compat adapter from the harness's settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .accounts import Accounts, Conflict, NotFound
from .billing import Payments
from .health import StripeHealth
from .jobs import RetryQueue
from .router import HTTPError, Reply, Request, Router
from .store import DocumentStore
from .stripe_api import StripeApi, StripeConfig, StripeFailure
from .webhooks import WebhookRoute

UNAVAILABLE = "Payments are unavailable right now; your account is safe. Please try again in a few minutes."
DECLINED = "Your card was declined. Please try again with another card."


@dataclass(frozen=True)
class ShopSettings:
    """Everything the shop is configured with."""

    stripe: StripeConfig
    webhook_secret: str
    database: Path


class ShopApp(Router):
    """The WSGI app and the services behind its routes; ``close()`` releases the database."""

    def __init__(self, settings: ShopSettings) -> None:
        super().__init__()
        self.store = DocumentStore(settings.database)
        self.health = StripeHealth(self.store)
        self.queue = RetryQueue(self.store)
        self.accounts = Accounts(self.store)
        api = StripeApi(settings.stripe, self.health.observe)
        self.payments = Payments(self.store, self.accounts, api, self.queue)
        self.webhooks = WebhookRoute(self.store, self.payments, settings.webhook_secret, settings.stripe.api_version)
        _add_routes(self)

    def user(self, user_id: str) -> dict[str, Any]:
        """The user document, or a 404 answer."""
        try:
            return self.accounts.load(user_id)
        except NotFound as exc:
            raise HTTPError(404, str(exc)) from None

    def billing_overview(self) -> dict[str, Any]:
        """Every user's billing, every invoice, the ids of the events applied (sorted) and the queue."""
        users = [
            {"email": user["email"], **{k: user["billing"][k] for k in ("state", "customer", "card")}}
            for _, user in self.store.all("users")
        ]
        invoices = [{"stripe_id": inv["stripe_id"], "status": inv["status"]} for _, inv in self.store.all("invoices")]
        return {"users": users, "invoices": invoices, "processed_events": self.store.keys("events"),
                "jobs": self.queue.states()}

    def close(self) -> None:
        """Close the database."""
        self.store.close()


def _payment_error(exc: StripeFailure) -> HTTPError:
    """What the customer is told: never Stripe's own message, which can name keys or internals."""
    return HTTPError(402, DECLINED) if exc.kind == "card" else HTTPError(503, UNAVAILABLE)


def _add_routes(app: ShopApp) -> None:
    @app.route("POST", "/signup")
    def signup(request: Request) -> Reply:
        try:
            return Reply(201, {"user_id": app.accounts.signup(request.json()["email"])})
        except Conflict as exc:
            raise HTTPError(409, str(exc)) from None

    @app.route("GET", "/dev/outbox/{user_id}")
    def outbox(request: Request) -> Reply:
        try:
            return Reply(body=app.accounts.outbox(request.params["user_id"]))
        except NotFound as exc:
            raise HTTPError(404, str(exc)) from None

    @app.route("GET", "/verify/{token}")
    def verify(request: Request) -> Reply:
        try:
            return Reply(body={"user_id": app.accounts.verify(request.params["token"])})
        except NotFound as exc:
            raise HTTPError(404, str(exc)) from None

    @app.route("GET", "/users/{user_id}")
    def get_user(request: Request) -> Reply:
        user_id = request.params["user_id"]
        app.user(user_id)
        app.payments.repair(user_id)
        user = app.user(user_id)
        return Reply(body={"user_id": user_id, "email": user["email"], "verified": user["verified"],
                           "billing": user["billing"]})

    @app.route("POST", "/users/{user_id}/cards")
    def add_card(request: Request) -> Reply:
        user_id = request.params["user_id"]
        app.user(user_id)
        try:
            return Reply(201, {"payment_method": app.payments.add_card(user_id, request.json()["payment_method"])})
        except StripeFailure as exc:
            raise _payment_error(exc) from None

    @app.route("POST", "/users/{user_id}/invoices")
    def create_invoice(request: Request) -> Reply:
        user_id = request.params["user_id"]
        app.user(user_id)
        data = request.json()
        lines = [(int(line["amount"]), str(line["description"])) for line in data["lines"]]
        try:
            return Reply(201, app.payments.invoice(user_id, lines, data["currency"]))
        except StripeFailure as exc:
            raise _payment_error(exc) from None

    @app.route("POST", "/webhooks/stripe")
    def stripe_webhook(request: Request) -> Reply:
        status, text = app.webhooks.deliver(request.body, request.headers.get("Stripe-Signature"))
        return Reply(status, text)

    @app.route("GET", "/health/stripe")
    def stripe_health(_: Request) -> Reply:
        return Reply(body=app.health.status())

    @app.route("POST", "/ops/jobs/run")
    def run_jobs(request: Request) -> Reply:
        ignore_backoff = bool(request.json().get("ignore_backoff"))
        return Reply(body={"ran": app.queue.run(app.payments.job_handlers(), ignore_backoff=ignore_backoff)})

    @app.route("GET", "/ops/billing")
    def billing(_: Request) -> Reply:
        return Reply(body=app.billing_overview())
