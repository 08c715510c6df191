"""A tiny WSGI router: method + path pattern -> handler, JSON in and out.

Enough for the shop's handful of routes without a framework dependency, so the example
installs with nothing but stripe and its server. Handlers raise :class:`HTTPError` for
answers other than success; anything else they raise is logged and becomes a bare 500:
an exception's text can name tables, ids or keys, and is no business of the client's.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 402: "Payment Required", 404: "Not Found",
            405: "Method Not Allowed", 409: "Conflict", 500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass
class Request:
    """What a handler sees: the route's path parameters, headers and the raw body."""

    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON; a malformed body is the client's error (400)."""
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            raise HTTPError(400, "The request body is not JSON.") from None


@dataclass
class Reply:
    """A handler's answer: a JSON document, or text when ``body`` is a str."""

    status: int = 200
    body: Any = field(default_factory=dict)


class HTTPError(Exception):
    """Stop handling and answer ``status`` with ``{"error": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


Handler = Callable[[Request], Reply]


class Router:
    """A WSGI application dispatching on method and a path pattern with ``{name}`` parts."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """Decorator registering ``handler`` for ``method pattern``."""
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

        def register(handler: Handler) -> Handler:
            self._routes.append((method, regex, handler))
            return handler

        return register

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        reply = self._dispatch(environ)
        if isinstance(reply.body, str):
            data, kind = reply.body.encode(), "text/plain; charset=utf-8"
        else:
            data, kind = json.dumps(reply.body).encode(), "application/json"
        status = f"{reply.status} {_REASONS.get(reply.status, 'Unknown')}"
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(data)))])
        return [data]

    def _dispatch(self, environ: dict[str, Any]) -> Reply:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        body = _body(environ)
        allowed = False
        for route_method, regex, handler in self._routes:
            match = regex.match(path)
            if match is None:
                continue
            allowed = True
            if route_method != method:
                continue
            try:
                return handler(Request(method, path, match.groupdict(), _headers(environ), body))
            except HTTPError as exc:
                return Reply(exc.status, {"error": exc.message})
            except Exception:
                log.exception("%s %s failed", method, path)
                return Reply(500, {"error": "Internal error; it has been logged."})
        if allowed:
            return Reply(405, {"error": f"{method} is not allowed on {path}."})
        return Reply(404, {"error": f"No route for {path}."})


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    return {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}


def _body(environ: dict[str, Any]) -> bytes:
    # The raw bytes, unparsed: a webhook signature covers exactly what was sent. The server
    # has checked Content-Length and the size limit, and de-chunked a chunked body.
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length else b""
