"""The scenario's own Stripe calls for webhook scenarios, made as plain HTTP through the chain.

Plain requests rather than stripe-python, so the same recorded exchanges replay under
every library release, and so the account can do what no adapter method does (pay an
invoice, detach a card, list the events Stripe emitted). Like ``stripe_admin``, they
are recorded and contract-checked but neither faulted nor counted as the integration's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ..account_state import AccountState
from ..adapter import StripeSettings
from ..backends.base import Backend, Request
from ..errors import HarnessError


class StripeAccount:
    """Raw form-encoded calls to the scenario's Stripe account at the pinned API version."""

    def __init__(self, backend: Backend, settings: StripeSettings, state: AccountState | None = None) -> None:
        self._backend, self._settings, self._state = backend, settings, state

    def call(self, method: str, path: str, *, expect: int = 200, **params: Any) -> dict[str, Any]:
        """``method path`` with ``params``; raises when the status is not ``expect``.

        The expected status is about the account (this card declines), so a stateless
        backend's other answer is relaxed and reported instead, and the story goes on.
        """
        body = urlencode(params).encode() if method != "GET" else b""
        query = f"?{urlencode(params)}" if method == "GET" and params else ""
        headers = {
            "Authorization": f"Bearer {self._settings.api_key}",
            "Stripe-Version": self._settings.api_version,
        }
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = Request(method, f"{self._backend.api_base}{path}{query}", headers, body)
        response = self._backend.handle_request(request)
        if response.status != expect:
            msg = (
                f"{request.describe()} answered {response.status}, the scenario expected {expect}: "
                f"{response.body[:300]!r}. Re-record the scenario if the backend changed."
            )
            if self._state is None or self._state.stateful:
                raise HarnessError(msg)
            self._state.relax(f"{request.describe()} answers {expect}", f"it answered {response.status}")
        return response.json()

    def events(self) -> list[dict[str, Any]]:
        """Every event the account emitted, oldest first (Stripe lists newest first)."""
        listed = self.call("GET", "/v1/events", limit=100)
        if listed.get("has_more"):
            raise HarnessError("more than 100 events: keep webhook scenarios' accounts small")
        return listed["data"][::-1]
