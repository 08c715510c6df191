"""Fixtures for webhook scenarios: deliveries made the way Stripe makes them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from ..adapter import BillingAdapter, StripeSettings, WebhookResult
from ..config import HarnessConfig
from ..plugin import Chain
from ..reference.webhook_app import serve
from ..rules import step
from .account import StripeAccount
from .delivery import Delivery, http_sender, send_all, sign, sign_all
from .events import build_event, encode
from .signing import signature_header
from .twin import twin
from .world import build_account, expected_types, timeline

#: Delivers the in-order baseline to a twin of the integration and returns its snapshot.
Baseline = Callable[[Sequence[Delivery]], dict[str, Any]]


class WebhookSender:
    """Delivers events to the integration the way Stripe does: raw body plus signature."""

    def __init__(self, adapter: BillingAdapter, chain: Chain, settings: StripeSettings) -> None:
        self._adapter, self._chain, self._settings = adapter, chain, settings

    def event(self, event_type: str, obj: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """An event for ``obj`` rendered in the pinned API version (see :func:`build_event`)."""
        return build_event(event_type, obj, api_version=self._settings.api_version, **kwargs)

    def check(self, event: dict[str, Any]) -> None:
        """Contract-check a payload like any response: against its own api_version's contracts."""
        self._chain.checked.check(f"webhook {event.get('type')} {event.get('id')}", encode(event))

    def sign(self, event: dict[str, Any], *, secret: str | None = None, timestamp: int | None = None) -> Delivery:
        """One signed delivery of ``event`` (with the endpoint's secret unless told otherwise)."""
        return sign(event, secret or self._settings.webhook_secret, timestamp=timestamp)

    def sign_all(self, events: Sequence[dict[str, Any]]) -> list[Delivery]:
        """Signed deliveries of ``events``, in order, with the endpoint's secret."""
        return sign_all(events, self._settings.webhook_secret)

    def sign_bytes(self, payload: bytes) -> Delivery:
        """A correctly signed delivery of arbitrary bytes (to prove the body itself is checked)."""
        return Delivery(None, payload, signature_header(payload, self._settings.webhook_secret))

    def send(self, delivery: Delivery) -> WebhookResult:
        """Hand one delivery to the integration's webhook endpoint."""
        return self._adapter.handle_webhook(delivery.payload, delivery.signature)

    def deliver(self, event: dict[str, Any], *, secret: str | None = None) -> WebhookResult:
        """Contract-check, sign and deliver one event."""
        self.check(event)
        return self.send(self.sign(event, secret=secret))


@pytest.fixture
def stripe_webhooks(
    stripe_billing: BillingAdapter,
    _stripe_chain: Chain,
    stripe_settings: StripeSettings,
) -> WebhookSender:
    """Send signed webhook events to the integration under test."""
    return WebhookSender(stripe_billing, _stripe_chain, stripe_settings)


@pytest.fixture
def stripe_account(_stripe_chain: Chain, stripe_settings: StripeSettings) -> StripeAccount:
    """Plain HTTP calls to the scenario's Stripe account (pay, detach, list events)."""
    return StripeAccount(_stripe_chain.checked, stripe_settings, _stripe_chain.state)


@pytest.fixture
def stripe_webhook_timeline(
    stripe_billing: BillingAdapter, stripe_account: StripeAccount, stripe_webhooks: WebhookSender
) -> list[dict[str, Any]]:
    """The account story's real events, oldest first, each contract-checked (see harness.webhooks.world)."""
    with step("build the webhook story"):
        build_account(stripe_billing, stripe_account)
    events = timeline(stripe_account, expected_types(stripe_billing))
    for event in events:
        stripe_webhooks.check(event)
    return events


@pytest.fixture
def stripe_webhook_baseline(
    stripe_webhook_timeline: list[dict[str, Any]],
    _stripe_chain: Chain,
    stripe_settings: StripeSettings,
    stripe_compat_config: HarnessConfig,
    tmp_path: Path,
) -> Baseline:
    """The integration's state after one in-order delivery, from a twin in the same starting state."""
    exchanges = list(_stripe_chain.log.exchanges)
    factory = stripe_compat_config.adapter_factory()

    def baseline(deliveries: Sequence[Delivery]) -> dict[str, Any]:
        with twin(factory, stripe_settings, tmp_path / "twin", exchanges, lambda a: build_account(a, None)) as other:
            results = send_all(other.handle_webhook, deliveries)
            refused = [r for r in results if r.status != 200]
            assert not refused, f"the in-order baseline itself was refused: {refused[:3]}"
            return other.billing_snapshot()

    return baseline


@pytest.fixture
def stripe_webhook_endpoint(stripe_billing: BillingAdapter) -> Iterator[Callable[[bytes, str], WebhookResult]]:
    """The integration's webhook handler served over real HTTP; a ``handle`` that POSTs to it."""
    with serve(stripe_billing.handle_webhook) as url:
        yield http_sender(url)
