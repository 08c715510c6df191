"""The exactly-once verdict: every delivery acknowledged, every event applied once, same end state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..adapter import WebhookResult
from ..rules import WEBHOOK_EXACTLY_ONCE, RuleBroken
from .delivery import Delivery


def differences(actual: dict[str, Any], expected: dict[str, Any], *, limit: int = 5) -> list[str]:
    """Readable differences between two snapshots, key by key, at most ``limit`` items each."""
    out = []
    for key in sorted(actual.keys() | expected.keys()):
        got, want = actual.get(key), expected.get(key)
        if key == "processed_events" and isinstance(got, list) and isinstance(want, list):
            got, want = sorted(got), sorted(want)  # the ledger's order is arrival order, not state
        if got == want:
            continue
        if isinstance(got, list) and isinstance(want, list):
            extra = [x for x in got if x not in want][:limit]
            lacking = [x for x in want if x not in got][:limit]
            out.append(f"{key}: {len(got)} entries vs {len(want)} in order; extra {extra}, lacking {lacking}")
        else:
            out.append(f"{key}: {got!r} vs {want!r} in order")
    return out


def assert_exactly_once(
    snapshot: dict[str, Any],
    expected: dict[str, Any],
    deliveries: Sequence[Delivery],
    results: Sequence[WebhookResult],
    *,
    pattern: str,
    rule: str = WEBHOOK_EXACTLY_ONCE,
) -> None:
    """Raise :class:`RuleBroken` unless ``pattern`` ended exactly as one in-order delivery did.

    Refusals and double application break exactly-once whatever the pattern; a different
    end state breaks ``rule`` (exactly-once for duplicates, order for reordered deliveries).
    """
    refused = [(d.event_id, r.status) for d, r in zip(deliveries, results, strict=True) if not 200 <= r.status < 300]
    if refused:
        raise RuleBroken(WEBHOOK_EXACTLY_ONCE, f"{pattern}: the endpoint refused {len(refused)} correctly signed "
                         f"deliveries (first {refused[:3]})", "every duplicate is acknowledged, or Stripe retries it")
    ledger = Counter(snapshot.get("processed_events", []))
    if repeated := sorted(event for event, n in ledger.items() if n > 1):
        raise RuleBroken(WEBHOOK_EXACTLY_ONCE, f"{pattern}: {len(repeated)} events were applied more than once "
                         f"(first {repeated[:3]})", "each event id is applied once, however often it is delivered")
    if found := differences(snapshot, expected):
        raise RuleBroken(rule, f"{pattern}: the state differs from one in-order delivery ({'; '.join(found)})",
                         "any delivery pattern ends in the state one in-order delivery reaches")
