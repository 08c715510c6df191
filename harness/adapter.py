"""The adapter interface: the only way scenarios touch a billing integration.

A team puts its own integration under the harness by writing one class with these
methods and naming it in ``[tool.stripe-compat] adapter = "pkg.module:Class"``. The
reference integration's adapter (:mod:`harness.reference.adapter`) is the worked
example. Scenarios never import an integration directly, so the same scenarios, matrix,
cassettes and contracts prove any integration that fits here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .errors import ConfigError
from .stripe_http import HarnessHTTPClient


class Capability(enum.StrEnum):
    """A part of a billing integration some integrations do not have.

    An adapter names the ones its integration lacks in a class attribute,
    ``lacks = {"invoicing"}``; scenarios that need one are reported
    ``not applicable: <capability>``, and the adapter need not implement its methods.
    """

    INVOICING = "invoicing"  # generate_invoice
    WEBHOOKS = "webhooks"  # handle_webhook, billing_snapshot
    QUEUE = "queue"  # run_queued_work
    MONITORING = "monitoring"  # connectivity
    # Optional: an adapter has them when it implements their methods (see OPTIONAL).
    DISCOUNTS = "discounts"  # discount_coupon
    SETUP_INTENTS = "setup_intents"  # save_card_with_setup_intent


#: The adapter methods each capability brings.
_METHODS = {
    Capability.INVOICING: ("generate_invoice",),
    Capability.WEBHOOKS: ("handle_webhook", "billing_snapshot"),
    Capability.QUEUE: ("run_queued_work",),
    Capability.MONITORING: ("connectivity",),
    Capability.DISCOUNTS: ("discount_coupon",),
    Capability.SETUP_INTENTS: ("save_card_with_setup_intent",),
}
_ALWAYS = ("signup", "verify_email", "get_user", "add_card", "close")
#: Capabilities added after adapters were written: one whose methods an adapter does not
#: implement is lacking without being declared, so existing adapters stay valid and their
#: scenarios are "not applicable" rather than failing.
OPTIONAL = frozenset({Capability.DISCOUNTS, Capability.SETUP_INTENTS})


def declared_lacks(adapter: Any) -> frozenset[Capability]:
    """The capabilities an adapter (class or instance) declares it lacks; unknown names are a usage error."""
    declared = getattr(adapter, "lacks", ())
    if isinstance(declared, str):
        declared = (declared,)
    try:
        named = frozenset(Capability(name) for name in declared)
    except ValueError:
        valid = ", ".join(c.value for c in Capability)
        msg = f"{adapter!r} declares lacks = {set(declared)!r}; each entry must be one of: {valid}."
        raise ConfigError(msg) from None
    unimplemented = {c for c in OPTIONAL if not all(callable(getattr(adapter, m, None)) for m in _METHODS[c])}
    return named | unimplemented


def lacks(adapter: Any, capability: Capability) -> bool:
    """Whether ``adapter`` declares it lacks ``capability``."""
    return capability in declared_lacks(adapter)


class PaymentUnavailable(Exception):
    """What an adapter raises when a payment action cannot be done because of Stripe.

    ``user_message`` is what the integration would show the customer; scenarios check
    that it exists and that it does not leak internals (keys, stack traces).
    """

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


@dataclass(frozen=True)
class StripeSettings:
    """How the integration under test must talk to Stripe in this scenario.

    ``api_base`` and ``http_client`` route the traffic to the harness's backend; the
    harness also installs both globally (``stripe.api_base``, ``stripe.default_http_client``)
    for integrations that use stripe-python's global style. An integration built on
    ``StripeClient`` passes them as ``base_addresses={"api": api_base}`` and ``http_client``.
    """

    api_key: str = field(repr=False)  # a failing scenario prints its fixtures: never the key
    api_version: str
    api_base: str
    http_client: HarnessHTTPClient
    webhook_secret: str = field(repr=False)


@dataclass(frozen=True)
class UserView:
    """A user as the integration records them, billing state included."""

    user_id: str
    email: str
    verified: bool
    billing_state: str  # none | pending | ready | failed | missing
    customer_id: str | None
    default_payment_method: str | None
    last_error: str | None
    attempts: int


@dataclass(frozen=True)
class InvoiceView:
    """An invoice the integration generated, as it recorded it."""

    invoice_id: str
    status: str
    total: int
    currency: str


@dataclass(frozen=True)
class WebhookResult:
    """The HTTP status and body the integration's webhook endpoint answered with."""

    status: int
    body: str = ""


@runtime_checkable
class BillingAdapter(Protocol):
    """What a scenario can ask of an integration. Construct with ``(settings, workdir)``."""

    def signup(self, email: str) -> str:
        """Create an account and return its user id. Must never call Stripe."""

    def verify_email(self, user_id: str) -> None:
        """Mark the e-mail address verified. Must never call Stripe."""

    def get_user(self, user_id: str) -> UserView:
        """Read a user; may repair a missing customer, must never fail because of Stripe."""

    def add_card(self, user_id: str, payment_method: str) -> None:
        """Attach ``payment_method`` and make it the default; raise PaymentUnavailable on Stripe failure."""

    def generate_invoice(self, user_id: str, items: list[tuple[int, str]], currency: str) -> InvoiceView:
        """Bill ``items`` (amount in minor units, description) and finalize the invoice."""

    def run_queued_work(self) -> int:
        """Run every queued job that is due, ignoring backoff; return how many ran."""

    def handle_webhook(self, payload: bytes, signature: str) -> WebhookResult:
        """Handle one delivery exactly as the integration's webhook endpoint would."""

    def billing_snapshot(self) -> dict[str, Any]:
        """A comparable picture of billing state, for idempotency and reordering checks.

        Must include ``"invoices": [{"stripe_invoice_id": str | None, "status": str}, ...]``
        in creation order, which the fault scenarios read, and ``"processed_events"``: the
        webhook ledger's event ids, one entry per ledger row, so an event recorded twice
        shows. Anything else is compared as a whole.
        """

    def connectivity(self) -> dict[str, Any]:
        """Stripe connectivity as monitoring sees it (last success, last error, failures)."""

    def close(self) -> None:
        """Release databases, threads and files."""


class OptionalMethods(Protocol):
    """The methods of the optional capabilities (:data:`OPTIONAL`): implement one to be tested on it."""

    def discount_coupon(self, user_id: str) -> str | None:
        """``discounts``: the id of the coupon the user's customer's discount applies, as the
        integration reads it from Stripe (None without a discount)."""

    def save_card_with_setup_intent(self, user_id: str, payment_method: str, payment_method_types: list[str]) -> None:
        """``setup_intents``: save ``payment_method`` through a confirmed SetupIntent limited to
        ``payment_method_types`` and make it the default; raise PaymentUnavailable on Stripe failure."""


AdapterFactory = type[BillingAdapter]


def make_adapter(factory: Any, settings: StripeSettings, workdir: Path) -> BillingAdapter:
    """Build an adapter and check it has every method, naming the ones it lacks."""
    absent = declared_lacks(factory)
    adapter = factory(settings, workdir)
    needed = [*_ALWAYS, *(m for cap, methods in _METHODS.items() if cap not in absent for m in methods)]
    missing = [name for name in needed if not callable(getattr(adapter, name, None))]
    if missing:
        msg = (
            f"Adapter {factory!r} lacks {', '.join(missing)}. Implement every method of "
            "harness.adapter.BillingAdapter (see docs/adopting.md), or declare what the integration "
            f"does not have: lacks = {{...}} with any of {', '.join(c.value for c in Capability)}."
        )
        raise ConfigError(msg)
    return adapter
