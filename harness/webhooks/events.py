"""Events built around objects the backend really returned, in Stripe's envelope."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

_SEQUENCE = itertools.count(1)


def build_event(
    event_type: str, obj: dict[str, Any], *, api_version: str, created: int | None = None
) -> dict[str, Any]:
    """An ``event`` envelope for ``obj`` as Stripe renders one for an endpoint pinned to ``api_version``."""
    number = next(_SEQUENCE)
    return {
        "id": f"evt_compat{number:010d}",
        "object": "event",
        "api_version": api_version,
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def encode(event: dict[str, Any]) -> bytes:
    """The raw body Stripe would POST: compact JSON, UTF-8."""
    return json.dumps(event, separators=(",", ":")).encode()
