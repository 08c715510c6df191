"""A layer that remembers every request and its outcome, for scenarios to assert on.

stripe-python retries some failures itself (``max_network_retries``, 2 by default in
recent releases), re-sending the same request with the same ``Idempotency-Key``. Those
attempts are one *logical* request: :meth:`RequestLog.calls`, :meth:`~RequestLog.matching`
and :meth:`~RequestLog.count` group them, so a scenario's expectations hold whether the
integration leaves the library's retries on or turns them off. ``exchanges`` keeps every
attempt on the wire.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from .base import Backend, Layer, Request, Response


@dataclass(frozen=True)
class Exchange:
    """One request and what came back: a response, or the name of the network error."""

    request: Request
    response: Response | None
    error: str | None = None


#: Answers after which stripe-python may retry the same request.
_RETRYABLE_STATUS = frozenset({409, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Call:
    """One logical request: its attempts in order (one, unless the library retried it)."""

    attempts: tuple[Exchange, ...]

    @property
    def request(self) -> Request:
        """The first attempt's request."""
        return self.attempts[0].request

    @property
    def response(self) -> Response | None:
        """The last attempt's response (None when it ended in a network error)."""
        return self.attempts[-1].response

    @property
    def error(self) -> str | None:
        """The last attempt's network error, if it ended in one."""
        return self.attempts[-1].error


def _is_retry(previous: Exchange, current: Exchange) -> bool:
    """``current`` re-sends ``previous``: same request, same idempotency key, after a retryable outcome."""
    before, now = previous.request, current.request
    if (before.method, before.url, before.body) != (now.method, now.url, now.body):
        return False
    key = now.header("Idempotency-Key")
    if key is not None:
        return key == before.header("Idempotency-Key")
    return previous.response is None or previous.response.status in _RETRYABLE_STATUS


class RequestLog(Layer):
    """Records exchanges in order; thread-safe because webhook scenarios deliver concurrently."""

    def __init__(self, inner: Backend) -> None:
        super().__init__(inner)
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def handle_request(self, request: Request) -> Response:
        try:
            response = self.inner.handle_request(request)
        except Exception as exc:
            self._add(Exchange(request, None, type(exc).__name__))
            raise
        self._add(Exchange(request, response))
        return response

    def _add(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)

    def calls(self) -> list[Call]:
        """The logical requests in order, each with its attempts (see the module docstring)."""
        with self._lock:
            exchanges = list(self.exchanges)
        grouped: list[list[Exchange]] = []
        for exchange in exchanges:
            # A retry follows its original, though other threads' requests may come between.
            for attempts in reversed(grouped[-4:]):
                if _is_retry(attempts[-1], exchange):
                    attempts.append(exchange)
                    break
            else:
                grouped.append([exchange])
        return [Call(tuple(attempts)) for attempts in grouped]

    def matching(self, method: str, path: str) -> list[Call]:
        """Logical requests whose method is ``method`` and whose path fully matches regex ``path``."""
        pattern = re.compile(path)
        return [c for c in self.calls() if c.request.method == method.upper() and pattern.fullmatch(c.request.path)]

    def count(self, method: str, path: str) -> int:
        """How many logical requests matched :meth:`matching`."""
        return len(self.matching(method, path))

    def describe(self) -> str:
        """Every request made, one per line, for assertion messages."""
        if not self.exchanges:
            return "(no requests)"
        lines = []
        for call in self.calls():
            outcomes = [str(e.response.status) if e.response else str(e.error) for e in call.attempts]
            lines.append(f"{call.request.method} {call.request.path} -> {', then '.join(outcomes)}")
        return "\n".join(lines)

    def reset(self) -> None:
        with self._lock:
            self.exchanges.clear()
        super().reset()
