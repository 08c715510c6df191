"""The one interface every Stripe backend implements, shaped like httpx's transports.

A backend turns a :class:`Request` into a :class:`Response`. Cassette replay, the
localstripe server, stripe-mock and a live test-mode key are peers behind it, and so
are the layers that wrap another backend (request log, fault injection, contract
checks, recording). stripe-python reaches a backend through
:mod:`harness.stripe_http`, so no backend depends on a library version.

Network failures are raised as :class:`NetworkError` subclasses, never returned as
responses, because that is what stripe-python sees from a real socket.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..cassettes.secret_patterns import mask_credentials


@dataclass(repr=False)
class Request:
    """One HTTP request as stripe-python sent it (body already form-encoded)."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __repr__(self) -> str:
        # Tracebacks and logs print requests; the Authorization header must not come with them.
        fields = f"method={self.method!r}, url={self.url!r}, headers={self.headers!r}, body={self.body!r}"
        return mask_credentials(f"Request({fields})")

    @property
    def path(self) -> str:
        """The URL path, e.g. ``/v1/customers``."""
        return urlsplit(self.url).path

    @property
    def query(self) -> list[tuple[str, str]]:
        """The query string's pairs, in the order sent."""
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    @property
    def form(self) -> list[tuple[str, str]]:
        """The form-encoded body's pairs, in the order sent."""
        return parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def header(self, name: str, default: str | None = None) -> str | None:
        """A header's value, looked up without regard to case."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return default

    def describe(self) -> str:
        """``POST /v1/customers email=…&metadata[user_id]=1`` for messages."""
        params = "&".join(f"{k}={v}" for k, v in [*self.query, *self.form])
        return f"{self.method} {self.path}" + (f" {params}" if params else "")


@dataclass
class Response:
    """One HTTP response as a backend produced it."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The body parsed as JSON (raises ``ValueError`` when it is not JSON)."""
        return json.loads(self.body)

    @classmethod
    def from_json(cls, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
        """A JSON response, the way Stripe sends one."""
        merged = {"Content-Type": "application/json", **(headers or {})}
        return cls(status, merged, json.dumps(payload).encode())


class NetworkError(Exception):
    """The request never got an HTTP response (what a socket error looks like)."""

    #: Whether a careful client may retry: true when the request cannot have arrived.
    should_retry: bool = True


class ConnectFailed(NetworkError):
    """Connection refused or host unreachable: the request was never sent."""


class ConnectionReset(NetworkError):
    """The connection dropped mid-request: the server may or may not have acted on it."""


class ReadTimeout(NetworkError):
    """No response in time: the server may have done the work anyway."""


class Backend:
    """Base class: subclasses implement :meth:`handle_request`, may override the rest."""

    #: Short name shown in reports and the pytest header.
    name: str = "backend"
    #: Where stripe-python should send requests (``stripe.api_base``).
    api_base: str = "https://api.stripe.com"

    def handle_request(self, request: Request) -> Response:
        """Answer one request."""
        raise NotImplementedError("The 'handle_request' method must be implemented.")

    def reset(self) -> None:
        """Forget state between scenarios (a fresh account, an unplayed cassette)."""

    def close(self) -> None:
        """Release processes, sockets and files."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Layer(Backend):
    """A backend that wraps another and passes everything through unless it intervenes."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.inner.name

    @property
    def api_base(self) -> str:  # type: ignore[override]
        return self.inner.api_base

    def handle_request(self, request: Request) -> Response:
        return self.inner.handle_request(request)

    def reset(self) -> None:
        self.inner.reset()

    def close(self) -> None:
        self.inner.close()


class HandlerBackend(Backend):
    """An in-memory backend answering with a plain function: for tests and the floor benchmark."""

    name = "memory"

    def __init__(self, handler: Callable[[Request], Response]) -> None:
        self.handler = handler

    def handle_request(self, request: Request) -> Response:
        return self.handler(request)
