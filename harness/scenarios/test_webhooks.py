"""Webhooks: signed deliveries, duplicated, reordered, concurrent and in storms, applied exactly once.

Every pattern delivers the real events of one account story (harness.webhooks.world)
and must end in the state a single in-order delivery reaches on a twin of the
integration, with each event in the ledger once and every duplicate acknowledged.
Rejected deliveries must get 400 and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness import rules
from harness.adapter import BillingAdapter, WebhookResult
from harness.config import HarnessConfig
from harness.webhooks.checks import assert_exactly_once
from harness.webhooks.delivery import Delivery, send_all, send_concurrently
from harness.webhooks.fixtures import Baseline, WebhookSender
from harness.webhooks.patterns import multiply, shuffled, twice, with_duplicates

pytestmark = [
    pytest.mark.stripe_needs("webhooks"),
    pytest.mark.stripe_stateful(reason="the deliveries are the events the account emitted for its story"),
]

Timeline = list[dict[str, Any]]
Handle = Callable[[bytes, str], WebhookResult]

#: Deliveries in the storm: distinct events plus ~30% retries, shuffled.
STORM_EVENTS = 7_000
STORM_DUPLICATE_SHARE = 0.3
SHUFFLE_SEEDS = (1, 2, 3)


def _signed(stripe_webhooks: WebhookSender, events: Timeline) -> list[Delivery]:
    return stripe_webhooks.sign_all(events)


def test_in_order_over_http(
    stripe_billing: BillingAdapter,
    stripe_webhook_timeline: Timeline,
    stripe_webhook_baseline: Baseline,
    stripe_webhooks: WebhookSender,
    stripe_webhook_endpoint: Handle,
) -> None:
    deliveries = _signed(stripe_webhooks, stripe_webhook_timeline)
    before = _snapshot(stripe_billing)

    with rules.step("deliver the story's events in order over HTTP"):
        results = send_all(stripe_webhook_endpoint, deliveries)

    snapshot = _snapshot(stripe_billing)
    assert_exactly_once(snapshot, stripe_webhook_baseline(deliveries), deliveries, results, pattern="in order")
    rules.applied(before, snapshot, [e["id"] for e in stripe_webhook_timeline])


def test_every_event_twice(
    stripe_billing: BillingAdapter,
    stripe_webhook_timeline: Timeline,
    stripe_webhook_baseline: Baseline,
    stripe_webhooks: WebhookSender,
) -> None:
    deliveries = _signed(stripe_webhooks, stripe_webhook_timeline)
    pattern = twice(deliveries)

    with rules.step("deliver every event twice"):
        results = send_all(stripe_billing.handle_webhook, pattern)

    expected = stripe_webhook_baseline(deliveries)
    assert_exactly_once(_snapshot(stripe_billing), expected, pattern, results, pattern="twice")


@pytest.mark.parametrize("seed", SHUFFLE_SEEDS)
def test_shuffled(
    stripe_billing: BillingAdapter,
    stripe_webhook_timeline: Timeline,
    stripe_webhook_baseline: Baseline,
    stripe_webhooks: WebhookSender,
    seed: int,
) -> None:
    deliveries = _signed(stripe_webhooks, stripe_webhook_timeline)
    pattern = shuffled(deliveries, seed=seed)

    with rules.step(f"deliver the events shuffled (seed {seed})"):
        results = send_all(stripe_billing.handle_webhook, pattern)

    expected = stripe_webhook_baseline(deliveries)
    assert_exactly_once(_snapshot(stripe_billing), expected, pattern, results, pattern=f"shuffled(seed={seed})",
                        rule=rules.WEBHOOK_ORDER)


def test_concurrent_duplicates_over_http(
    stripe_billing: BillingAdapter,
    stripe_webhook_timeline: Timeline,
    stripe_webhook_baseline: Baseline,
    stripe_webhooks: WebhookSender,
    stripe_webhook_endpoint: Handle,
) -> None:
    deliveries = _signed(stripe_webhooks, stripe_webhook_timeline)
    pattern = [d for d in deliveries for _ in range(4)]  # each event from 4 threads at once

    with rules.step("deliver each event from 4 threads at once over HTTP"):
        results = send_concurrently(stripe_webhook_endpoint, pattern, threads=8)

    expected = stripe_webhook_baseline(deliveries)
    assert_exactly_once(_snapshot(stripe_billing), expected, pattern, results, pattern="concurrent duplicates")


def test_storm(
    stripe_billing: BillingAdapter,
    stripe_webhook_timeline: Timeline,
    stripe_webhook_baseline: Baseline,
    stripe_webhooks: WebhookSender,
) -> None:
    # Clones share their template's object, and the templates were contract-checked by
    # stripe_webhook_timeline: checking 10,000 copies would only repeat that work.
    events = multiply(stripe_webhook_timeline, STORM_EVENTS)
    deliveries = _signed(stripe_webhooks, events)
    pattern = with_duplicates(deliveries, share=STORM_DUPLICATE_SHARE, seed=7)
    assert len(pattern) >= 10_000

    with rules.step("deliver the storm"):
        results = send_all(stripe_billing.handle_webhook, pattern)

    # By the events each delivery was signed from: parsing 7,000 payloads back only to sort them cost ~0.1 s a cell.
    in_order = [d for _, d in sorted(zip(events, deliveries, strict=True), key=lambda pair: pair[0]["created"])]
    expected = stripe_webhook_baseline(in_order)
    assert_exactly_once(_snapshot(stripe_billing), expected, pattern, results, pattern="storm")


def _rejections(stripe_webhooks: WebhookSender, event: dict[str, Any], other_version: str) -> dict[str, Delivery]:
    """One delivery per way a delivery must be refused."""
    good = stripe_webhooks.sign(event)
    t = good.signature.split(",")[0]  # "t=<unix time>"
    tampered = good.payload.replace(b'"livemode":false', b'"livemode":true')
    malformed = good.payload[:-7]
    return {
        "bad signature": Delivery(event["id"], tampered, good.signature),
        "wrong secret": stripe_webhooks.sign(event, secret="whsec_not_the_endpoints"),
        "no v1 signature": Delivery(event["id"], good.payload, t),
        "timestamp beyond tolerance": stripe_webhooks.sign(event, timestamp=int(t[2:]) - 3600),
        "no signature header": Delivery(event["id"], good.payload, ""),
        "malformed JSON": stripe_webhooks.sign_bytes(malformed),
        "api_version mismatch": stripe_webhooks.sign({**event, "api_version": other_version}),
    }


def test_rejected_deliveries_change_nothing(
    stripe_billing: BillingAdapter,
    stripe_webhook_timeline: Timeline,
    stripe_webhooks: WebhookSender,
    stripe_compat_config: HarnessConfig,
) -> None:
    event = next(e for e in stripe_webhook_timeline if e["type"] == "customer.deleted")
    pinned = stripe_compat_config.api_version
    other = next(v for v in stripe_compat_config.matrix.api_versions if v != pinned)
    before = _snapshot(stripe_billing)

    for name, delivery in _rejections(stripe_webhooks, event, other).items():
        with rules.step(f"deliver a {name}"):
            result = stripe_billing.handle_webhook(delivery.payload, delivery.signature)
        rules.refused(result, f"delivery with {name}", changed=_snapshot(stripe_billing) != before)
        if name == "api_version mismatch":
            rules.names_versions(result, other, pinned)

    with rules.step("deliver the event correctly signed"):  # the retry, once fixed, applies
        result = stripe_webhooks.send(stripe_webhooks.sign(event))
    rules.accepted(result, "the correctly signed customer.deleted after the refused ones")
    rules.applied(before, _snapshot(stripe_billing), [event["id"]])


def test_events_are_rendered_at_the_pinned_version(
    stripe_webhook_timeline: Timeline, stripe_compat_config: HarnessConfig
) -> None:
    # stripe_webhook_timeline already fails when a handled type is missing from the story.
    rendered = {e["api_version"] for e in stripe_webhook_timeline}
    assert rendered == {stripe_compat_config.api_version}, f"the backend rendered events at {rendered}"


def _snapshot(billing: BillingAdapter) -> dict[str, Any]:
    with rules.step("billing snapshot"):
        return billing.billing_snapshot()
