"""Stripe's webhook signature scheme, so deliveries verify with the library's own check.

``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed by the
endpoint secret>``, as documented at docs.stripe.com/webhooks#verify-manually.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header value for ``payload`` signed with ``secret``."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"
