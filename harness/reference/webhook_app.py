"""The webhook endpoint over real HTTP: a WSGI app that hands the raw body to the handler.

Signatures are computed over the exact bytes Stripe sent, so the body must reach the
handler unparsed and undecoded; frameworks that parse JSON first and re-serialise it
are where handlers usually go wrong. :func:`serve` runs the app with wsgiref on
127.0.0.1 and a free port, one thread per request, for scenarios and tests.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from ..adapter import WebhookResult

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


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a stuck request must not keep the test process alive


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Access logs would print every delivery of a 10,000-event storm."""


@contextlib.contextmanager
def serve(handle: Handle, *, path: str = "/webhooks/stripe") -> Iterator[str]:
    """Serve ``handle`` over HTTP on 127.0.0.1 and a free port; yields the endpoint's URL."""
    server = make_server("127.0.0.1", 0, make_app(handle, path=path), _ThreadingServer, _QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="webhook-endpoint", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
