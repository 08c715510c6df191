"""The shop's one door to Stripe, on every stripe-python release from 5.5 to 16.x.

From 8.0 the shop uses ``stripe.StripeClient``: its own key, API version, base address
and HTTP client, no process-wide state (12.5 moved the services under ``client.v1``).
stripe 5.x-7.x have no StripeClient, so there the same calls go to the resource classes
with per-request ``api_key`` and ``stripe_version``, routed by the process-wide
``stripe.api_base`` and ``stripe.default_http_client``: that fallback is what a team
still on those releases writes, and what it deletes when it upgrades.

Responses come back as plain dicts (``str()`` of a StripeObject is its JSON in every
release), so no other module meets StripeObject's changes (it stopped being a dict in
15.0). Errors come back as :class:`StripeFailure` with a ``kind`` the shop acts on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import stripe

#: StripeClient service name -> resource class of the global style.
_RESOURCES = {
    "customers": "Customer",
    "payment_methods": "PaymentMethod",
    "invoices": "Invoice",
    "invoice_items": "InvoiceItem",
}
#: Service verbs the global style spells differently.
_GLOBAL_VERBS = {"update": "modify"}


def stripe_exception(name: str) -> type[Exception]:
    """``stripe.<name>``, or ``stripe.error.<name>`` on releases before 7.0."""
    found = getattr(stripe, name, None)
    return found if isinstance(found, type) else getattr(stripe.error, name)


@dataclass(frozen=True)
class StripeConfig:
    """How the shop reaches Stripe. ``http_client=None`` keeps the library's own."""

    api_key: str
    api_version: str
    api_base: str = "https://api.stripe.com"
    http_client: Any = None


class StripeFailure(Exception):
    """A Stripe call failed.

    ``kind`` is ``outage`` (Stripe unreachable, refusing the key, rate limiting or failing
    on its side), ``card`` (declined), ``missing`` (the object does not exist) or
    ``rejected`` (Stripe understood and refused the request). ``uncertain`` means the
    request may have reached Stripe even though no answer came back.
    """

    def __init__(self, kind: str, message: str, *, uncertain: bool = False) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind, self.uncertain = kind, uncertain


def _failure(exc: Exception) -> StripeFailure:
    status = getattr(exc, "http_status", None)
    code = getattr(exc, "code", None)
    message = getattr(exc, "user_message", None) or str(exc) or type(exc).__name__
    if status is None:  # no HTTP answer at all: the connection failed or timed out
        return StripeFailure("outage", message, uncertain=True)
    if status == 402:
        return StripeFailure("card", message)
    if status in (400, 404):
        return StripeFailure("missing" if code == "resource_missing" else "rejected", message)
    return StripeFailure("outage", message)


class StripeApi:
    """``call(service, verb, *ids, params=..., idempotency_key=...)`` in StripeClient's vocabulary.

    ``observer`` hears every outcome (None for success, the failure otherwise), which is
    how the connectivity status stays current without each caller reporting.
    """

    def __init__(self, config: StripeConfig, observer: Callable[[StripeFailure | None], None]) -> None:
        self._config = config
        self._observer = observer
        self._services = self._client_services(config)

    @staticmethod
    def _client_services(config: StripeConfig) -> Any:
        if not hasattr(stripe, "StripeClient"):
            return None
        client = stripe.StripeClient(
            config.api_key,
            stripe_version=config.api_version,
            base_addresses={"api": config.api_base},
            http_client=config.http_client,
            # The shop retries what is safe to retry itself (see billing); a hidden
            # library retry would change the requests between releases (11.0 turned it on).
            max_network_retries=0,
        )
        return getattr(client, "v1", client)

    def call(
        self, service: str, verb: str, *ids: str, params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Make one request and return the response object as a plain dict."""
        try:
            result = self._send(service, verb, ids, params or {}, idempotency_key)
        except stripe_exception("StripeError") as exc:
            failure = _failure(exc)
            self._observer(failure)
            raise failure from exc
        self._observer(None)
        return json.loads(str(result))

    def _send(self, service: str, verb: str, ids: tuple[str, ...], params: dict[str, Any], key: str | None) -> Any:
        options = {"idempotency_key": key} if key else {}
        if self._services is not None:
            return getattr(getattr(self._services, service), verb)(*ids, params=params, options=options)
        method = getattr(getattr(stripe, _RESOURCES[service]), _GLOBAL_VERBS.get(verb, verb))
        return method(
            *ids, api_key=self._config.api_key, stripe_version=self._config.api_version, **options, **params
        )
