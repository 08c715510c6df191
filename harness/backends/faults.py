"""Fault injection in front of any backend: Stripe failing the ways it really fails.

A :class:`FaultRule` picks requests (by method, path, the n-th matching call, or a
probability) and says what happens to them. The injector sits between stripe-python
and the backend, so the same rules work for replay, localstripe, stripe-mock and a live
key, on every library release. ``SUCCEED_THEN_TIMEOUT`` forwards the request and then
hides the answer: the case that creates duplicate customers when a client retries
without an idempotency key.
"""

from __future__ import annotations

import enum
import random
import re
import threading
import time
from dataclasses import dataclass, field

from .base import (
    Backend,
    ConnectFailed,
    ConnectionReset,
    Layer,
    ReadTimeout,
    Request,
    Response,
)


class Fault(enum.StrEnum):
    """What an injected fault does to a request."""

    INVALID_KEY = "invalid_key"
    CARD_DECLINED = "card_declined"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    UNAVAILABLE = "unavailable"
    CONNECT_REFUSED = "connect_refused"
    CONNECTION_RESET = "connection_reset"
    TIMEOUT = "timeout"
    SLOW = "slow"
    MALFORMED_JSON = "malformed_json"
    SUCCEED_THEN_TIMEOUT = "succeed_then_timeout"


def _error(status: int, kind: str, message: str, **extra: str) -> Response:
    headers = {"Request-Id": "req_fault_injected"}
    if status == 429:
        headers["Retry-After"] = "1"
    return Response.from_json(status, {"error": {"type": kind, "message": message, **extra}}, headers)


_CANNED: dict[Fault, Response] = {
    Fault.INVALID_KEY: _error(401, "invalid_request_error", "Invalid API Key provided: sk_test_****fake"),
    Fault.CARD_DECLINED: _error(
        402, "card_error", "Your card was declined.", code="card_declined", decline_code="generic_decline"
    ),
    Fault.RATE_LIMITED: _error(429, "invalid_request_error", "Too many requests.", code="rate_limit"),
    Fault.SERVER_ERROR: _error(500, "api_error", "Something went wrong on Stripe's end."),
    Fault.UNAVAILABLE: _error(503, "api_error", "Stripe is temporarily unavailable."),
    Fault.MALFORMED_JSON: Response(200, {"Content-Type": "application/json"}, b'{"id": "cus_'),
}


@dataclass
class FaultRule:
    """Which requests to break and how.

    Args:
        fault: what happens to a selected request.
        method: only this HTTP method (any when None).
        path: a regex that must match the whole URL path (any when None).
        nth: only the n-th matching request, counting from 1 (every one when None).
        times: stop after firing this many times (no limit when None).
        probability: fire with this chance, from a seeded generator (always when None).
        delay: seconds to wait for ``SLOW`` before answering normally.
    """

    fault: Fault
    method: str | None = None
    path: str | None = None
    nth: int | None = None
    times: int | None = None
    probability: float | None = None
    delay: float = 0.05
    seen: int = field(default=0, init=False)
    fired: int = field(default=0, init=False)

    def selects(self, request: Request, rng: random.Random) -> bool:
        """Count ``request`` if it matches and say whether the fault fires on it."""
        if self.method and request.method != self.method.upper():
            return False
        if self.path and not re.fullmatch(self.path, request.path):
            return False
        self.seen += 1
        if self.nth is not None and self.seen != self.nth:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        if self.probability is not None and rng.random() >= self.probability:
            return False
        self.fired += 1
        return True


class FaultInjector(Layer):
    """Applies the first rule that selects a request; with no rules it is invisible."""

    def __init__(self, inner: Backend, rules: list[FaultRule] | None = None, seed: int = 0) -> None:
        super().__init__(inner)
        self.rules: list[FaultRule] = list(rules or [])
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def add(self, fault: Fault | str, **selectors: object) -> FaultRule:
        """Add a rule (see :class:`FaultRule` for the selectors) and return it."""
        rule = FaultRule(Fault(fault), **selectors)  # type: ignore[arg-type]
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Stop injecting: Stripe is healthy again."""
        self.rules.clear()

    def handle_request(self, request: Request) -> Response:
        with self._lock:
            rule = next((r for r in self.rules if r.selects(request, self._rng)), None)
        if rule is None:
            return self.inner.handle_request(request)
        fault = rule.fault
        if fault in _CANNED:
            return _CANNED[fault]
        if fault is Fault.CONNECT_REFUSED:
            raise ConnectFailed(f"[Errno 111] Connection refused (injected) for {request.path}")
        if fault is Fault.CONNECTION_RESET:
            raise ConnectionReset(f"[Errno 104] Connection reset by peer (injected) for {request.path}")
        if fault is Fault.TIMEOUT:
            raise ReadTimeout(f"Read timed out (injected) for {request.path}")
        if fault is Fault.SLOW:
            time.sleep(rule.delay)
            return self.inner.handle_request(request)
        # SUCCEED_THEN_TIMEOUT: Stripe does the work; the client never hears about it.
        self.inner.handle_request(request)
        raise ReadTimeout(f"Read timed out after the request reached Stripe (injected) for {request.path}")

    def reset(self) -> None:
        self.clear()
        super().reset()
