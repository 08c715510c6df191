"""A layer that remembers every request and its outcome, for scenarios to assert on."""

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

    def matching(self, method: str, path: str) -> list[Exchange]:
        """Exchanges whose method is ``method`` and whose path fully matches regex ``path``."""
        pattern = re.compile(path)
        return [
            e
            for e in self.exchanges
            if e.request.method == method.upper() and pattern.fullmatch(e.request.path)
        ]

    def count(self, method: str, path: str) -> int:
        """How many requests matched :meth:`matching`."""
        return len(self.matching(method, path))

    def describe(self) -> str:
        """Every request made, one per line, for assertion messages."""
        if not self.exchanges:
            return "(no requests)"
        lines = []
        for e in self.exchanges:
            outcome = str(e.response.status) if e.response else e.error
            lines.append(f"{e.request.method} {e.request.path} -> {outcome}")
        return "\n".join(lines)

    def reset(self) -> None:
        with self._lock:
            self.exchanges.clear()
        super().reset()
