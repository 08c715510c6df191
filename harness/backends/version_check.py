"""A layer that checks every request of the integration carries the cell's API version.

The cell pins an API version, and its cassettes and contracts are that version's. A
request that sends another ``Stripe-Version`` (or none, so the account's default
applies) would get answers shaped for another version in production: the cassette's
answers would prove nothing about it. Each such request is answered with an error the
integration sees as a failure and kept, so the scenario fails with the rule's sentence
even if the integration swallowed it.
"""

from __future__ import annotations

import threading

from ..rules import PINNED_VERSION, RuleBroken
from .base import Backend, Layer, Request, Response


class PinnedVersionCheck(Layer):
    """Refuses requests whose Stripe-Version is not ``api_version``; ``broken`` lists each once per route."""

    def __init__(self, inner: Backend, *, api_version: str) -> None:
        super().__init__(inner)
        self.api_version = api_version
        self.broken: list[RuleBroken] = []
        self._seen: set[tuple[str, str, str | None]] = set()
        self._lock = threading.Lock()

    def handle_request(self, request: Request) -> Response:
        sent = request.header("Stripe-Version")
        if sent == self.api_version:
            return self.inner.handle_request(request)
        what = f"sent Stripe-Version {sent}" if sent else "sent no Stripe-Version (the account's default applies)"
        broken = RuleBroken(
            PINNED_VERSION,
            f"{request.method} {request.path} {what}",
            f"every request carries the cell's API version {self.api_version}: pin it (stripe.api_version or "
            f"StripeClient(stripe_version=...)) or name library-default in the matrix",
        )
        with self._lock:
            if (key := (request.method, request.path, sent)) not in self._seen:
                self._seen.add(key)
                self.broken.append(broken)
        return Response.from_json(400, {"error": {"type": "invalid_request_error", "message": str(broken)}})

    def reset(self) -> None:
        with self._lock:
            self.broken.clear()
            self._seen.clear()
        super().reset()
