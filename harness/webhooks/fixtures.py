"""Fixtures for webhook scenarios: deliveries made the way Stripe makes them."""

from __future__ import annotations

from typing import Any

import pytest

from ..adapter import BillingAdapter, StripeSettings, WebhookResult
from ..plugin import Chain
from .events import build_event, encode
from .signing import signature_header


class WebhookSender:
    """Delivers events to the integration the way Stripe does: raw body plus signature."""

    def __init__(self, adapter: BillingAdapter, chain: Chain, settings: StripeSettings) -> None:
        self._adapter, self._chain, self._settings = adapter, chain, settings

    def event(self, event_type: str, obj: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """An event for ``obj`` rendered in the pinned API version (see :func:`build_event`)."""
        return build_event(event_type, obj, api_version=self._settings.api_version, **kwargs)

    def deliver(self, event: dict[str, Any], *, secret: str | None = None) -> WebhookResult:
        """Sign and deliver one event; its payload is contract-checked like any response."""
        payload = encode(event)
        self._chain.checked.check(f"webhook {event.get('type')}", payload)
        header = signature_header(payload, secret or self._settings.webhook_secret)
        return self._adapter.handle_webhook(payload, header)


@pytest.fixture
def stripe_webhooks(billing: BillingAdapter, _stripe_chain: Chain, stripe_settings: StripeSettings) -> WebhookSender:
    """Send signed webhook events to the integration under test."""
    return WebhookSender(billing, _stripe_chain, stripe_settings)
