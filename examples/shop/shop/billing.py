"""Payments: the Stripe customer made when first needed, repaired when lost.

Every attempt is written to the user's billing sub-document before Stripe is called, so
an outage or a crash leaves ``pending`` or ``failed`` behind, never a customer nobody
knows about. Customer creates carry an idempotency key derived from the user record
(user id, customer generation, attempt), so repeating an attempt whose answer was lost
returns the customer Stripe already made instead of a second one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .accounts import Accounts
from .jobs import Handler, RetryQueue
from .store import DocumentStore
from .stripe_api import StripeApi, StripeFailure

T = TypeVar("T")

#: Billing states from which a read tries to (re)create the customer.
REPAIRABLE = frozenset({"pending", "failed", "missing"})


class Payments:
    """Cards and invoices for the shop's users, over :class:`StripeApi`."""

    def __init__(self, store: DocumentStore, accounts: Accounts, api: StripeApi, queue: RetryQueue) -> None:
        self._store, self._accounts, self._api, self._queue = store, accounts, api, queue

    def job_handlers(self) -> dict[str, Handler]:
        """What each queued job kind does."""
        return {
            "ensure_customer": lambda args: self._ensure_customer(args["user_id"]),
            "withdraw_invoice": lambda args: self._withdraw_invoice(args["invoice"]),
        }

    # -- the lazy customer ---------------------------------------------------------------

    def customer_for(self, user_id: str) -> str:
        """The user's Stripe customer id, creating the customer now if they have none."""
        user = self._accounts.load(user_id)
        billing = user["billing"]
        if billing["state"] == "ready":
            return billing["customer"]
        billing.update(state="pending", attempts=billing["attempts"] + 1)
        self._accounts.save(user_id, user)
        try:
            customer = self._adopt_or_create(user_id, user)
        except StripeFailure as exc:
            billing.update(state="failed", error=str(exc))
            self._accounts.save(user_id, user)
            raise
        billing.update(state="ready", customer=customer, error=None)
        self._accounts.save(user_id, user)
        return customer

    def _adopt_or_create(self, user_id: str, user: dict[str, Any]) -> str:
        billing = user["billing"]
        if billing["attempts"] > 1:
            # An earlier attempt's create may have reached Stripe unseen; a new attempt
            # has a new key, so look before creating.
            listed = self._api.call("customers", "list", params={"email": user["email"], "limit": 20})
            for customer in listed["data"]:
                if customer.get("metadata", {}).get("user_id") == user_id:
                    return customer["id"]
        params = {"email": user["email"], "metadata": {"user_id": user_id}}
        key = f"shop-customer-{user_id}-g{billing['generation']}-a{billing['attempts']}"
        try:
            return self._api.call("customers", "create", params=params, idempotency_key=key)["id"]
        except StripeFailure as exc:
            if not exc.uncertain:
                raise
            return self._api.call("customers", "create", params=params, idempotency_key=key)["id"]

    def _ensure_customer(self, user_id: str) -> None:
        self.customer_for(user_id)

    def repair(self, user_id: str) -> None:
        """On read: recreate a missing customer now, or queue it; never raises for Stripe."""
        if self._accounts.load(user_id)["billing"]["state"] not in REPAIRABLE:
            return
        try:
            self.customer_for(user_id)
        except StripeFailure:
            self._queue.schedule("ensure_customer", {"user_id": user_id}, key=f"ensure_customer:{user_id}")

    def forget_customer(self, user_id: str) -> None:
        """The customer is gone at Stripe: the next payment action or read makes a new one."""
        user = self._accounts.load(user_id)
        billing = user["billing"]
        billing.update(state="missing", customer=None, card=None, generation=billing["generation"] + 1)
        self._accounts.save(user_id, user)

    def _with_customer(self, user_id: str, action: Callable[[str], T]) -> T:
        """Run ``action(customer_id)``; if Stripe lost the customer, recreate it once and rerun."""
        customer = self.customer_for(user_id)
        try:
            return action(customer)
        except StripeFailure as exc:
            if exc.kind != "missing" or self._customer_alive(customer):
                raise
        self.forget_customer(user_id)
        return action(self.customer_for(user_id))

    def _customer_alive(self, customer: str) -> bool:
        try:
            return not self._api.call("customers", "retrieve", customer).get("deleted", False)
        except StripeFailure as exc:
            if exc.kind == "missing":
                return False
            raise

    # -- payment features ------------------------------------------------------------------

    def add_card(self, user_id: str, payment_method: str) -> str:
        """Attach the card to the user's customer and make it the default for invoices."""

        def attach(customer: str) -> str:
            card = self._api.call("payment_methods", "attach", payment_method, params={"customer": customer})
            self._api.call(
                "customers", "update", customer, params={"invoice_settings": {"default_payment_method": card["id"]}}
            )
            return card["id"]

        card = self._with_customer(user_id, attach)
        user = self._accounts.load(user_id)
        user["billing"]["card"] = card
        self._accounts.save(user_id, user)
        return card

    def invoice(self, user_id: str, items: list[tuple[int, str]], currency: str) -> dict[str, Any]:
        """Bill ``items`` on a new invoice and finalize it; a failure queues the invoice's withdrawal."""
        self._accounts.load(user_id)
        number = self._store.next_id("invoices")
        record: dict[str, Any] = {"user_id": user_id, "status": "creating", "stripe_id": None,
                                  "total": 0, "currency": currency}
        self._store.put("invoices", number, record)

        def bill(customer: str) -> dict[str, Any]:
            key = f"shop-invoice-{number}-{customer}"  # a recreated customer gets a fresh invoice
            draft = self._api.call(
                "invoices", "create",
                # Explicit because the default changed in API version 2022-08-01: before it,
                # an invoice could not be created without pending items.
                params={"customer": customer, "auto_advance": False, "pending_invoice_items_behavior": "exclude",
                        "collection_method": "charge_automatically"},
                idempotency_key=key,
            )
            record["stripe_id"] = draft["id"]
            self._store.put("invoices", number, record)
            for line, (amount, description) in enumerate(items):
                self._api.call(
                    "invoice_items", "create",
                    params={"customer": customer, "invoice": draft["id"], "amount": amount,
                            "currency": currency, "description": description},
                    idempotency_key=f"{key}-line-{line}",
                )
            return self._api.call("invoices", "finalize_invoice", draft["id"])

        try:
            final = self._with_customer(user_id, bill)
        except StripeFailure:
            with self._store.transaction():
                record["status"] = "failed"
                self._store.put("invoices", number, record)
                if record["stripe_id"]:
                    self._queue.schedule("withdraw_invoice", {"invoice": record["stripe_id"]},
                                         key=f"withdraw_invoice:{record['stripe_id']}")
            raise
        record.update(status=final["status"], total=final["total"], currency=final["currency"])
        self._store.put("invoices", number, record)
        return record

    def _withdraw_invoice(self, invoice: str) -> None:
        """Take back an invoice whose generation failed: delete a draft, void one that got finalized.

        Its finalize may have reached Stripe unseen, so ask what state it is in first.
        """
        try:
            status = self._api.call("invoices", "retrieve", invoice)["status"]
            if status == "draft":
                self._api.call("invoices", "delete", invoice)
            elif status == "open":
                self._api.call("invoices", "void_invoice", invoice)
        except StripeFailure as exc:
            if exc.kind != "missing":
                raise
