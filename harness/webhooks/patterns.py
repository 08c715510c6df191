"""Delivery patterns: the orders in which Stripe may hand the same events to an endpoint.

Each pattern takes the deliveries of one in-order timeline and returns what the endpoint
receives. Seeded, so a failing order can be replayed from the scenario's message.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from .delivery import Delivery


def twice(deliveries: Sequence[Delivery]) -> list[Delivery]:
    """Every delivery, then its retry straight after (a lost 2xx)."""
    return [d for d in deliveries for _ in range(2)]


def shuffled(deliveries: Sequence[Delivery], *, seed: int) -> list[Delivery]:
    """The same deliveries in a random order (retries and parallel delivery reorder freely)."""
    out = list(deliveries)
    random.Random(seed).shuffle(out)
    return out


def with_duplicates(deliveries: Sequence[Delivery], *, share: float, seed: int) -> list[Delivery]:
    """Add retries until ``share`` of the result are duplicates, then shuffle everything."""
    rng = random.Random(seed)
    extra = round(len(deliveries) * share / (1 - share))
    out = [*deliveries, *rng.choices(deliveries, k=extra)]
    rng.shuffle(out)
    return out


def multiply(events: Sequence[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` distinct events cycling through ``events``: fresh ids, round ``n`` ``n`` seconds later.

    Each clone shares its template's ``data.object`` (events are never mutated), which
    keeps a 10,000-event storm cheap to build. Later rounds re-state the same objects,
    so the storm exercises both stale events and ties on ``created``.
    """
    out = []
    for n in range(count):
        template = events[n % len(events)]
        round_ = n // len(events)
        out.append({**template, "id": f"{template['id']}_r{round_:05d}", "created": template["created"] + round_})
    return out
