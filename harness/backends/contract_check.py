"""A layer that validates every Stripe response against its API version's contracts.

Violations are collected rather than raised: raising inside stripe-python's call
would change what the integration sees (and an integration that rightly swallows
Stripe errors on a read would hide it). The plugin fails the scenario afterwards with
each violation's JSON path, expectation, actual value and schema file.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from .base import Backend, Layer, Request, Response


class ContractCheck(Layer):
    """Validates JSON responses; ``blockers`` fail the scenario, ``warnings`` are reported."""

    def __init__(self, inner: Backend, *, api_version: str, contracts_dir: Any = None) -> None:
        super().__init__(inner)
        from ..contracts import load_contracts

        self.contracts = load_contracts(api_version, contracts_dir)
        self.blockers: list[str] = []
        self.warnings: list[str] = []
        self._lock = threading.Lock()

    def handle_request(self, request: Request) -> Response:
        response = self.inner.handle_request(request)
        self.check(f"{request.method} {request.path}", response.body, self._asked(request))
        return response

    def _asked(self, request: Request) -> Any:
        """The contracts of the version this request asked for: a per-request ``Stripe-Version``
        (an arrangement made "from the dashboard" at an older version) is answered in that version."""
        from ..contracts import load_contracts
        from ..errors import ConfigError

        asked = next((v for k, v in request.headers.items() if k.lower() == "stripe-version"), None)
        if asked is None or asked == self.contracts.api_version:
            return self.contracts
        try:
            return load_contracts(asked, self.contracts.contracts_dir)
        except ConfigError:
            return self.contracts

    def check(self, where: str, body: bytes, contracts: Any = None) -> None:
        """Validate one JSON document (a response body or a webhook payload), at the pinned version by default."""
        try:
            payload = json.loads(body)
        except ValueError:
            return  # not JSON: stripe-python itself reports an invalid body
        found = (contracts or self.contracts).violations(payload)
        with self._lock:
            for violation in found:
                target = self.blockers if violation.severity == "blocker" else self.warnings
                target.append(f"{where}: {violation}")

    def reset(self) -> None:
        with self._lock:
            self.blockers.clear()
            self.warnings.clear()
        super().reset()
