"""One delivery as Stripe makes it (raw body + ``Stripe-Signature``), and the ways to send it.

A delivery is signed once and may be sent many times, which is what a duplicate is:
Stripe retries the same bytes. Sending is in-process (the adapter's ``handle_webhook``),
from several threads at once, or over real HTTP to a served endpoint.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..adapter import WebhookResult
from .events import encode, encode_all
from .signing import signature_header

Handle = Callable[[bytes, str], WebhookResult]


@dataclass(frozen=True)
class Delivery:
    """The bytes and header of one event delivery; ``event_id`` is None for a body that is no event."""

    event_id: str | None
    payload: bytes
    signature: str


def sign(event: dict[str, Any], secret: str, *, timestamp: int | None = None) -> Delivery:
    """Encode ``event`` as Stripe would and sign it with ``secret`` (at ``timestamp``, default now)."""
    payload = encode(event)
    return Delivery(event.get("id"), payload, signature_header(payload, secret, timestamp))


def sign_all(events: Sequence[dict[str, Any]], secret: str) -> list[Delivery]:
    """:func:`sign` for each event, signed now; values the events share are encoded once (:func:`encode_all`)."""
    return [Delivery(e.get("id"), payload, signature_header(payload, secret))
            for e, payload in zip(events, encode_all(events), strict=True)]


def send_all(handle: Handle, deliveries: Sequence[Delivery]) -> list[WebhookResult]:
    """Send each delivery in turn; results in the same order."""
    return [handle(d.payload, d.signature) for d in deliveries]


def send_concurrently(handle: Handle, deliveries: Sequence[Delivery], *, threads: int = 8) -> list[WebhookResult]:
    """Send the deliveries from ``threads`` threads at once, as Stripe's parallel retries do."""
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="stripe-delivery") as pool:
        return list(pool.map(lambda d: handle(d.payload, d.signature), deliveries))


def http_sender(url: str, *, timeout: float = 10.0) -> Handle:
    """A ``handle`` that POSTs the raw body to ``url``, the way Stripe's servers do."""

    def post(payload: bytes, signature: str) -> WebhookResult:
        request = urllib.request.Request(
            url,
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": signature},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return WebhookResult(response.status, response.read().decode())
        except urllib.error.HTTPError as exc:  # a 4xx/5xx is an answer, not a failure to deliver
            return WebhookResult(exc.code, exc.read().decode())

    return post
