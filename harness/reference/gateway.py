"""Every call the integration makes to Stripe, written once to run on stripe 5.x to 16.x.

The portable subset: global-style resource methods with keyword request options
(``api_key=``, ``stripe_version=``, ``idempotency_key=``), which every release accepts;
fields read with ``obj["key"]`` (StripeObject stopped being a dict in 15.0, so ``.get``
is gone); exceptions looked up where each release keeps them. Each call reports to the
connectivity monitor and comes back as a :class:`GatewayError` with a ``kind`` the
service can act on, never as a raw library exception.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import stripe

from ..stripe_http import stripe_error
from .connectivity import ConnectivityMonitor

T = TypeVar("T")

#: Kinds that mean "Stripe could not be used right now"; they count against connectivity.
OUTAGE_KINDS = frozenset({"auth", "network", "rate_limit", "server", "unknown"})


class GatewayError(Exception):
    """A Stripe call failed. ``kind``: auth, network, rate_limit, server, card, missing, invalid, unknown."""

    def __init__(self, kind: str, message: str, param: str | None = None) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind, self.param = kind, param

    @property
    def maybe_applied(self) -> bool:
        """Stripe may have done the work although the call failed: no answer, or its own error."""
        return self.kind in ("network", "server", "unknown")


#: The first API version with ``allowed_payment_method_types`` on intents (changelog, 2026-07-29.dahlia).
ALLOWED_TYPES_FROM = "2026-07-29"


def field(obj: Any, key: str) -> Any:
    """``obj[key]``, or None when the response lacks it (portable across StripeObject changes)."""
    try:
        return obj[key]
    except (KeyError, TypeError):
        return None


def _classify(exc: Exception) -> str:
    checks = (
        ("AuthenticationError", "auth"),
        ("PermissionError", "auth"),
        ("APIConnectionError", "network"),
        ("RateLimitError", "rate_limit"),
        ("CardError", "card"),
        ("IdempotencyError", "invalid"),
        ("InvalidRequestError", "invalid"),
        ("APIError", "server"),
    )
    for name, kind in checks:
        if isinstance(exc, stripe_error(name)):
            if kind == "invalid" and getattr(exc, "code", None) == "resource_missing":
                return "missing"
            return kind
    return "unknown"


class StripeGateway:
    """Thin, typed calls to Stripe for one API key and pinned API version."""

    def __init__(self, api_key: str, api_version: str, monitor: ConnectivityMonitor) -> None:
        self.api_key = api_key
        self.api_version = api_version
        self.monitor = monitor
        # The durable queue is the retry policy (with the same idempotency key), not the
        # library's in-call retries, which would hold a signup request for seconds.
        stripe.max_network_retries = 0

    def _call(self, fn: Callable[..., T], *args: Any, **params: Any) -> T:
        try:
            result = fn(*args, api_key=self.api_key, stripe_version=self.api_version, **params)
        except stripe_error("StripeError") as exc:
            kind = _classify(exc)
            message = getattr(exc, "user_message", None) or str(exc) or type(exc).__name__
            if kind in OUTAGE_KINDS:
                self.monitor.failure(f"{kind}: {message}")
            else:
                self.monitor.success()
            raise GatewayError(kind, message, getattr(exc, "param", None)) from exc
        self.monitor.success()
        return result

    def create_customer(self, *, user_id: str, email: str, idempotency_key: str) -> str:
        """Create the user's customer; the key makes a retried create return the same one."""
        customer = self._call(
            stripe.Customer.create,
            email=email,
            metadata={"user_id": user_id},
            idempotency_key=idempotency_key,
        )
        return customer["id"]

    def find_customer(self, *, email: str, user_id: str) -> str | None:
        """A live customer already made for this user (by e-mail, then metadata), if any."""
        found = self._call(stripe.Customer.list, email=email, limit=10)
        for customer in found["data"]:
            metadata = field(customer, "metadata") or {}
            if field(metadata, "user_id") == user_id and not field(customer, "deleted"):
                return customer["id"]
        return None

    def customer_exists(self, customer_id: str) -> bool:
        """False when Stripe says the customer is deleted or unknown."""
        try:
            customer = self._call(stripe.Customer.retrieve, customer_id)
        except GatewayError as exc:
            if exc.kind == "missing":
                return False
            raise
        return not field(customer, "deleted")

    def attach_card(self, *, customer_id: str, payment_method: str) -> str:
        """Attach the payment method and make it the customer's default; returns its id."""
        attached = self._call(stripe.PaymentMethod.attach, payment_method, customer=customer_id)
        self._call(
            stripe.Customer.modify,
            customer_id,
            invoice_settings={"default_payment_method": attached["id"]},
        )
        return attached["id"]

    def create_setup_intent(self, *, customer_id: str, idempotency_key: str) -> tuple[str, str]:
        """A SetupIntent for the front end to confirm; returns (id, client_secret)."""
        intent = self._call(
            stripe.SetupIntent.create,
            customer=customer_id,
            usage="off_session",
            idempotency_key=idempotency_key,
        )
        return intent["id"], intent["client_secret"]

    def save_card_with_setup_intent(
        self, *, customer_id: str, payment_method: str, payment_method_types: list[str], idempotency_key: str
    ) -> str:
        """Save a card through a confirmed SetupIntent limited to ``payment_method_types``; make it the default.

        endive refuses ``payment_method_types`` (400 ``payment_method_types_no_longer_supported``);
        ``allowed_payment_method_types``, its replacement from 2026-07-29.dahlia on, says the same.
        """
        allowed = self.api_version[:10] >= ALLOWED_TYPES_FROM
        param = "allowed_payment_method_types" if allowed else "payment_method_types"
        intent = self._call(
            stripe.SetupIntent.create,
            customer=customer_id,
            payment_method=payment_method,
            confirm=True,
            usage="off_session",
            idempotency_key=idempotency_key,
            **{param: payment_method_types},
        )
        if field(intent, "status") != "succeeded":
            raise GatewayError("card", f"the card could not be set up ({field(intent, 'status')})")
        saved = field(intent, "payment_method")
        saved_id = saved if isinstance(saved, str) else field(saved, "id")
        self._call(stripe.Customer.modify, customer_id, invoice_settings={"default_payment_method": saved_id})
        return str(saved_id)

    def coupon_of(self, customer_id: str) -> str | None:
        """The id of the coupon the customer's discount applies, if any.

        clover (2025-09-30) names it by id under ``discount.source.coupon``; before, the coupon
        object itself was ``discount.coupon``. Read whichever the response has.
        """
        discount = field(self._call(stripe.Customer.retrieve, customer_id), "discount")
        if not discount:
            return None
        source = field(discount, "source")
        coupon = field(source, "coupon") if source else field(discount, "coupon")
        return coupon if isinstance(coupon, str) or coupon is None else field(coupon, "id")

    def create_invoice(self, *, customer_id: str, idempotency_key: str) -> str:
        """An empty draft invoice; items are added to it explicitly.

        ``pending_invoice_items_behavior`` is spelled out because its default changed:
        before API version 2022-08-01 it was ``include_and_require``, which refuses to
        create an invoice while no item is pending.
        """
        invoice = self._call(
            stripe.Invoice.create,
            customer=customer_id,
            collection_method="charge_automatically",
            auto_advance=False,
            pending_invoice_items_behavior="exclude",
            idempotency_key=idempotency_key,
        )
        return invoice["id"]

    def add_invoice_item(
        self, *, customer_id: str, invoice_id: str, amount: int, currency: str, description: str,
        idempotency_key: str,
    ) -> None:
        """One line on a draft invoice."""
        self._call(
            stripe.InvoiceItem.create,
            customer=customer_id,
            invoice=invoice_id,
            amount=amount,
            currency=currency,
            description=description,
            idempotency_key=idempotency_key,
        )

    def finalize_invoice(self, invoice_id: str) -> tuple[str, int, str]:
        """Finalize a draft; returns (status, total, currency) as Stripe reports them."""
        invoice = self._call(stripe.Invoice.finalize_invoice, invoice_id)
        return invoice["status"], int(invoice["total"]), invoice["currency"]

    def invoice_status(self, invoice_id: str) -> str:
        """The invoice's current status at Stripe (draft, open, paid, void, uncollectible)."""
        return self._call(stripe.Invoice.retrieve, invoice_id)["status"]

    def void_invoice(self, invoice_id: str) -> None:
        """Void a finalized invoice nobody should pay."""
        self._call(stripe.Invoice.void_invoice, invoice_id)

    def delete_draft_invoice(self, invoice_id: str) -> None:
        """Remove a draft left behind by a failed generation."""
        try:
            self._call(stripe.Invoice.delete, invoice_id)
        except GatewayError as exc:
            if exc.kind != "missing":
                raise
