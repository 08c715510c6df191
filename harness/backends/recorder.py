"""Recording: a layer that keeps a scenario's exchanges and writes them as a cassette.

Nothing reaches disk until :meth:`Recorder.commit`, which the recording flow
(:mod:`harness.record_flow`) calls for every scenario that reached Stripe, passed or
failed, with its outcome; the file is then replaced atomically. An interrupted or
refused recording leaves the previous cassette exactly as it was. Secrets are scrubbed
on the way in, so they are never even held in the cassette's buffer.

The events the scenario caused are read back with ``GET /v1/events`` at commit time (no
webhook endpoint needed) and stored with the cassette, for the webhook scenarios. Only
events whose ``request.id`` is one of the scenario's own requests are kept: on a real
test account the list also holds every earlier run's events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from vcr.request import Request as VcrRequest

from ..cassettes.scrub import scrub_request, scrub_response, scrub_text
from ..cassettes.store import CassetteFile, CassetteMetadata
from ..errors import BackendError, HarnessError
from .base import Backend, Layer, NetworkError, Request, Response

#: Events are listed from this long before the scenario began, in case the server's
#: clock runs behind this machine's; the request-id filter does the real selection.
CLOCK_SKEW_SECONDS = 300
#: A page of ``GET /v1/events`` (Stripe's maximum).
EVENTS_PAGE = 100


class LiveModeRefused(HarnessError):
    """A response said ``livemode: true``: the key reached a live account, so the recording is void."""


def _holds_livemode(node: Any) -> bool:
    """Whether any object in ``node``, at any depth (list items, expanded objects, events' data), is live."""
    stack = [node]
    while stack:  # a loop, not recursion: a deeply nested answer must not overflow the stack
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("livemode") is True:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _is_livemode(response: Response) -> bool:
    try:
        payload = response.json()
    except (ValueError, RecursionError):
        return False
    return _holds_livemode(payload)


def _livemode_refused(what: str) -> LiveModeRefused:
    return LiveModeRefused(
        f"{what} answered with livemode: true. The key belongs to a live account; nothing was saved. "
        "Use a test-mode key (sk_test_...)."
    )


def _same_recording(old: CassetteFile, new: CassetteFile) -> bool:
    """The same traffic, events and outcome: only the time of recording would change."""
    if old.metadata is None or new.metadata is None or old.events != new.events:
        return False
    if dataclasses.replace(old.metadata, recorded_at=new.metadata.recorded_at) != new.metadata:
        return False

    def traffic(cassette: CassetteFile) -> list[tuple[Any, ...]]:
        return [(r.method, r.uri, r.body, resp) for r, resp in cassette.interactions]

    return traffic(old) == traffic(new)


class Recorder(Layer):
    """Buffers scrubbed exchanges; writes them on :meth:`commit`, drops them on :meth:`discard`."""

    def __init__(self, inner: Backend, *, api_version: str, stripe_python: str) -> None:
        super().__init__(inner)
        self.api_version = api_version
        self.stripe_python = stripe_python
        self.interactions: list[tuple[VcrRequest, dict[str, object]]] = []
        self.answered_versions: set[str] = set()
        self.void: LiveModeRefused | None = None
        self.request_ids: set[str] = set()
        self.started = time.time()
        self._lock = threading.Lock()

    def handle_request(self, request: Request) -> Response:
        response = self.inner.handle_request(request)
        if _is_livemode(response):
            self.void = _livemode_refused(f"{request.method} {request.path}")
            raise self.void
        with self._lock:
            headers = {k.lower(): v for k, v in response.headers.items()}
            asked = next((v for k, v in request.headers.items() if k.lower() == "stripe-version"), None)
            # A request that named another version itself (an arrangement made "in the dashboard"
            # at an older one) says nothing about the version the cassette was recorded at.
            if (answered := headers.get("stripe-version")) and asked in (None, self.api_version):
                self.answered_versions.add(answered)
            if request_id := headers.get("request-id"):
                self.request_ids.add(request_id)
            stored = scrub_request(request)
            if asked not in (None, self.api_version):
                stored.headers["Stripe-Version"] = asked  # says the answer's version was asked for
            self.interactions.append((stored, scrub_response(response)))
        return response

    def account_events(self, api_key: str) -> list[dict[str, Any]]:
        """The scenario's events, oldest first, scrubbed; read page by page from ``GET /v1/events``.

        Raises :class:`LiveModeRefused` for a live event and :class:`BackendError` when the
        list cannot be read, so that the old cassette is kept rather than one without events.
        """
        headers = {"Authorization": f"Bearer {api_key}", "Stripe-Version": self.api_version}
        query: dict[str, str | int] = {"limit": EVENTS_PAGE, "created[gte]": int(self.started) - CLOCK_SKEW_SECONDS}
        found: list[dict[str, Any]] = []
        while True:
            url = f"{self.inner.api_base}/v1/events?{urlencode(query)}"
            try:
                response = self.inner.handle_request(Request("GET", url, headers))
                page = response.json() if response.status == 200 else None
            except (NetworkError, ValueError) as exc:
                raise BackendError(f"Reading the scenario's events failed ({exc}); the old cassette is kept.") from exc
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                status = response.status
                msg = f"GET /v1/events answered HTTP {status}; the old cassette is kept. Check the key can read events."
                raise BackendError(msg)
            found += page["data"]
            if not page.get("has_more") or not page["data"]:
                break
            query["starting_after"] = page["data"][-1]["id"]
        if _holds_livemode(found):
            raise _livemode_refused("GET /v1/events")
        ours = [e for e in found if (e.get("request") or {}).get("id") in self.request_ids]
        ours.reverse()  # Stripe lists newest first
        return json.loads(scrub_text(json.dumps(ours)))

    def other_answered_versions(self) -> set[str]:
        """API versions the server answered at other than the one requested (a recording to refuse)."""
        return self.answered_versions - {self.api_version}

    def commit(
        self,
        path: Path,
        scenario: str,
        *,
        events: list[dict[str, Any]] | None = None,
        outcome: str = "passed",
        reason: str = "",
    ) -> bool:
        """Write the cassette atomically, with metadata and events; False when it would not change."""
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
            outcome=outcome,
            reason=scrub_text(reason),  # a failure's text quotes what the integration sent
        )
        new = CassetteFile(list(self.interactions), meta, events or [])
        if path.exists() and _same_recording(CassetteFile.read(path), new):
            return False
        new.write(path)
        return True

    def discard(self) -> None:
        """Forget what was recorded; the previous cassette stays untouched."""
        with self._lock:
            self.interactions.clear()

    def reset(self) -> None:
        self.discard()
        self.void = None
        super().reset()
