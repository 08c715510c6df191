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
from dataclasses import dataclass, field, fields

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


_METHODS = frozenset({"GET", "POST", "DELETE"})


def _invalid(message: str) -> ValueError:
    return ValueError(f"Bad fault rule: {message}")


def parse_fault(fault: Fault | str) -> Fault:
    """``fault`` as a :class:`Fault`, or an error naming every valid one."""
    try:
        return Fault(fault)
    except ValueError:
        valid = ", ".join(f.value for f in Fault)
        raise _invalid(f"{fault!r} is not a fault; use one of: {valid}.") from None


@dataclass
class FaultRule:
    """Which requests to break and how.

    Invalid selectors are refused when the rule is made, not when a request arrives,
    so a typo in a scenario fails at its first line instead of silently never firing.

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
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.fault = parse_fault(self.fault)
        if self.method is not None:
            self.method = self.method.upper()
            if self.method not in _METHODS:
                raise _invalid(f"method={self.method!r}; stripe-python sends only {', '.join(sorted(_METHODS))}.")
        if self.path is not None:
            try:
                self._pattern = re.compile(self.path)
            except re.error as exc:
                raise _invalid(f"path={self.path!r} is not a regex ({exc}); e.g. r'/v1/customers/cus_\\w+'.") from None
        for name in ("nth", "times"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise _invalid(f"{name}={value!r}; it counts requests from 1, or is None for no limit.")
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise _invalid(f"probability={self.probability!r}; give a chance between 0.0 and 1.0.")
        if self.delay < 0:
            raise _invalid(f"delay={self.delay!r}; give seconds >= 0.")

    def selects(self, request: Request, rng: random.Random) -> bool:
        """Count ``request`` if it matches and say whether the fault fires on it (caller holds the lock)."""
        if self.method and request.method != self.method:
            return False
        if self._pattern is not None and not self._pattern.fullmatch(request.path):
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
    """Applies the first rule that selects a request; with no rules it is invisible.

    Thread-safe: rules are matched and counted under one lock (so ``nth`` and ``times``
    hold when webhook deliveries or a chaos run send concurrently), while the inner
    backend and ``SLOW``'s sleep run outside it.
    """

    def __init__(self, inner: Backend, rules: list[FaultRule] | None = None, seed: int = 0) -> None:
        super().__init__(inner)
        self._rules: list[FaultRule] = list(rules or [])
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def rules(self) -> list[FaultRule]:
        """A snapshot of the active rules, in the order they are tried."""
        with self._lock:
            return list(self._rules)

    def add(self, fault: Fault | str, **selectors: object) -> FaultRule:
        """Add a rule (see :class:`FaultRule` for the selectors) and return it.

        Also the body of a ``stripe_fault(fault, **selectors)`` marker, so its errors
        name what is wrong and the valid choices.
        """
        known = {f.name for f in fields(FaultRule) if f.init} - {"fault"}
        if unknown := sorted(set(selectors) - known):
            raise _invalid(f"unknown selector(s) {', '.join(unknown)}; use {', '.join(sorted(known))}.")
        rule = FaultRule(parse_fault(fault), **selectors)  # type: ignore[arg-type]
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Stop injecting: Stripe is healthy again."""
        with self._lock:
            self._rules.clear()

    def handle_request(self, request: Request) -> Response:
        with self._lock:
            rule = next((r for r in self._rules if r.selects(request, self._rng)), None)
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
