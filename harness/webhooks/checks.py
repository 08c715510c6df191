"""The exactly-once verdict: every delivery acknowledged, every event applied once, same end state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..adapter import WebhookResult
from .delivery import Delivery


def differences(actual: dict[str, Any], expected: dict[str, Any], *, limit: int = 5) -> list[str]:
    """Readable differences between two snapshots, key by key, at most ``limit`` items each."""
    out = []
    for key in sorted(actual.keys() | expected.keys()):
        got, want = actual.get(key), expected.get(key)
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
) -> None:
    """Fail with what went wrong unless ``pattern`` ended exactly as one in-order delivery did."""
    refused = [(d.event_id, r) for d, r in zip(deliveries, results, strict=True) if not 200 <= r.status < 300]
    assert not refused, f"{pattern}: {len(refused)} deliveries refused, first {refused[:3]}; Stripe would retry them"
    ledger = Counter(snapshot.get("processed_events", []))
    repeated = sorted(event for event, n in ledger.items() if n > 1)
    assert not repeated, f"{pattern}: events applied more than once: {repeated[:5]} (of {len(repeated)})"
    found = differences(snapshot, expected)
    assert not found, f"{pattern}: state differs from a single in-order delivery:\n  " + "\n  ".join(found)
