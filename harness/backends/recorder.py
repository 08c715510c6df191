"""Recording: a layer that keeps a scenario's exchanges and writes them as a cassette.

Nothing reaches disk until :meth:`Recorder.commit`, which the plugin calls only when
the scenario passed; the file is then replaced atomically. A failed, interrupted or
refused recording therefore leaves the previous cassette exactly as it was. Secrets are
scrubbed on the way in, so they are never even held in the cassette's buffer.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from vcr.request import Request as VcrRequest

from ..cassettes.scrub import scrub_request, scrub_response
from ..cassettes.store import CassetteFile, CassetteMetadata
from ..errors import HarnessError
from .base import Backend, Layer, Request, Response


class LiveModeRefused(HarnessError):
    """A response said ``livemode: true``: the key reached a live account, so the recording is void."""


def _is_livemode(response: Response) -> bool:
    try:
        payload = response.json()
    except ValueError:
        return False
    return isinstance(payload, dict) and payload.get("livemode") is True


class Recorder(Layer):
    """Buffers scrubbed exchanges; writes them on :meth:`commit`, drops them on :meth:`discard`."""

    def __init__(self, inner: Backend, *, api_version: str, stripe_python: str) -> None:
        super().__init__(inner)
        self.api_version = api_version
        self.stripe_python = stripe_python
        self.interactions: list[tuple[VcrRequest, dict[str, object]]] = []
        self.answered_versions: set[str] = set()
        self.void: LiveModeRefused | None = None
        self._lock = threading.Lock()

    def handle_request(self, request: Request) -> Response:
        response = self.inner.handle_request(request)
        if _is_livemode(response):
            self.void = LiveModeRefused(
                f"{request.method} {request.path} answered with livemode: true. The key belongs "
                "to a live account; nothing was saved. Use a test-mode key (sk_test_...)."
            )
            raise self.void
        with self._lock:
            answered = response.headers.get("Stripe-Version") or response.headers.get("stripe-version")
            if answered:
                self.answered_versions.add(answered)
            self.interactions.append((scrub_request(request), scrub_response(response)))
        return response

    def commit(self, path: Path, scenario: str) -> None:
        """Write the cassette atomically, with metadata saying how it was made."""
        if self.void is not None:
            raise self.void
        answered = ", ".join(sorted(self.answered_versions)) or "not stated by the server"
        meta = CassetteMetadata(
            backend=self.inner.name,
            stripe_python=self.stripe_python,
            api_version_requested=self.api_version,
            api_version_answered=answered,
            recorded_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            scenario=scenario,
        )
        CassetteFile(list(self.interactions), meta).write(path)

    def discard(self) -> None:
        """Forget what was recorded; the previous cassette stays untouched."""
        with self._lock:
            self.interactions.clear()

    def reset(self) -> None:
        self.discard()
        self.void = None
        super().reset()
