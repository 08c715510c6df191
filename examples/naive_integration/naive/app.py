"""The naive billing app: Stripe sample-server style, every shortcut kept on purpose.

Routes are plain functions returning ``(json_body, status)``, the way a Flask view
returns ``jsonify(...), status``. What stripe-compat is expected to catch:

- signup creates the Stripe customer inline (a Stripe outage blocks new accounts);
- no idempotency key on the create;
- no pinned API version: whatever the installed stripe release sends;
- StripeObjects read and serialized as dicts (``.get``, ``json.dumps``), which stripe 15 broke;
- the webhook endpoint lets a bad signature escape as a 500, applies duplicates and
  events of another API version;
- no invoicing, no job queue, no connectivity monitoring (its adapter declares so).
"""

from __future__ import annotations

import json
from typing import Any

import stripe

Response = tuple[str, int]


def jsonify(**fields: Any) -> str:
    """Flask's jsonify for the sample: JSON of whatever it is given."""
    return json.dumps(fields)


class NaiveApp:
    """The app's routes over in-memory storage, as the samples keep it."""

    def __init__(self, api_key: str, webhook_secret: str) -> None:
        stripe.api_key = api_key
        self.webhook_secret = webhook_secret
        self.users: dict[int, dict[str, Any]] = {}
        self.events: list[str] = []

    def signup(self, email: str) -> Response:
        customer = stripe.Customer.create(email=email)
        user_id = len(self.users) + 1
        self.users[user_id] = {"id": user_id, "email": email, "verified": False,
                               "customer_id": customer["id"], "default_pm": None}
        return jsonify(user_id=user_id), 201

    def verify(self, user_id: int) -> Response:
        self.users[user_id]["verified"] = True
        return jsonify(ok=True), 200

    def user(self, user_id: int) -> Response:
        return jsonify(user=self.users[user_id]), 200

    def add_card(self, user_id: int, payment_method: str) -> Response:
        user = self.users[user_id]
        try:
            stripe.PaymentMethod.attach(payment_method, customer=user["customer_id"])
            customer = stripe.Customer.modify(
                user["customer_id"], invoice_settings={"default_payment_method": payment_method}
            )
            user["default_pm"] = customer.get("invoice_settings", {}).get("default_payment_method")
            return jsonify(customer=customer), 200
        except Exception as e:
            return jsonify(error=str(e)), 403

    def webhook(self, payload: bytes, signature: str) -> Response:
        try:
            event = stripe.Webhook.construct_event(payload, signature, self.webhook_secret)
        except ValueError:
            return jsonify(error="invalid payload"), 400
        data = event["data"]["object"]
        for user in self.users.values():
            if event["type"] == "customer.deleted" and user["customer_id"] == data.get("id"):
                user["customer_id"] = user["default_pm"] = None
            elif event["type"] == "payment_method.detached" and user["default_pm"] == data.get("id"):
                user["default_pm"] = None
        self.events.append(event["id"])
        return jsonify(status="success"), 200

    def snapshot(self) -> dict[str, Any]:
        users = [{k: v for k, v in u.items() if k != "id"} for u in self.users.values()]
        return {"users": users, "invoices": [], "processed_events": list(self.events)}
