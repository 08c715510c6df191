"""The webhook endpoint over real HTTP: a WSGI app that hands the raw body to the handler.

Signatures are computed over the exact bytes Stripe sent, so the body must reach the
handler unparsed and undecoded; frameworks that parse JSON first and re-serialise it
are where handlers usually go wrong. :func:`serve` runs the app with waitress on
127.0.0.1 and a free port (see :mod:`harness.wsgi_server`), which caps the body, times
out silent connections and refuses a malformed Content-Length before the app runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..adapter import WebhookResult
from ..wsgi_server import BODY_TIMEOUT, MAX_BODY, BackgroundServer

Handle = Callable[[bytes, str], WebhookResult]
StartResponse = Callable[..., Any]
App = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_REASONS = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed", 500: "Internal Server Error"}


def make_app(handle: Handle, *, path: str = "/webhooks/stripe") -> App:
    """A WSGI app answering ``POST path`` with ``handle(raw body, Stripe-Signature header)``."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != path:
            return _reply(start_response, WebhookResult(404, f"no endpoint here; POST to {path}"))
        if environ["REQUEST_METHOD"] != "POST":
            return _reply(start_response, WebhookResult(405, "POST a Stripe event"), [("Allow", "POST")])
        length = int(environ.get("CONTENT_LENGTH") or 0)
        payload = environ["wsgi.input"].read(length) if length else b""
        return _reply(start_response, handle(payload, environ.get("HTTP_STRIPE_SIGNATURE", "")))

    return app


def _reply(
    start_response: StartResponse, result: WebhookResult, extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    body = result.body.encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(f"{result.status} {_REASONS.get(result.status, 'Not Found')}", headers + (extra or []))
    return [body]


@contextlib.contextmanager
def serve(
    handle: Handle, *, path: str = "/webhooks/stripe", max_body: int = MAX_BODY, body_timeout: int = BODY_TIMEOUT
) -> Iterator[str]:
    """Serve ``handle`` over HTTP on 127.0.0.1 and a free port; yields the endpoint's URL."""
    with BackgroundServer(make_app(handle, path=path), max_body=max_body, body_timeout=body_timeout) as server:
        yield server.url + path
