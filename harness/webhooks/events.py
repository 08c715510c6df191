"""Events built around objects the backend really returned, in Stripe's envelope."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Sequence
from typing import Any

_SEQUENCE = itertools.count(1)
#: ``json.dumps(value, separators=...)`` builds a new encoder per call, which costs more than encoding an id.
_COMPACT = json.JSONEncoder(separators=(",", ":")).encode


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
    return _COMPACT(event).encode()


def encode_all(events: Sequence[dict[str, Any]]) -> list[bytes]:
    """Each event exactly as :func:`encode` writes it, with every value shared between events encoded once.

    A storm's 7,000 clones share their template's ``data`` and most scalars, and differ only
    in ``id`` and ``created``: encoding each top-level value once per distinct value (an
    object by identity, a scalar by type and value) costs a third of encoding each event whole.
    """
    pairs: dict[tuple[Any, ...], str] = {}
    bodies = []
    for event in events:
        chunks = []
        for name, value in event.items():
            key = (name, id(value)) if isinstance(value, dict | list) else (name, type(value), value)
            text = pairs.get(key)
            if text is None:
                text = pairs[key] = f"{_COMPACT(name)}:{_COMPACT(value)}"
            chunks.append(text)
        bodies.append(("{" + ",".join(chunks) + "}").encode())
    return bodies
