"""Serve the WSGI app with the standard library's server, in the foreground or a thread.

wsgiref answers one request per connection and, by default, one request at a time. The
shop's server keeps connections open (HTTP/1.1 keep-alive, so a client such as a load
balancer or the stripe-compat adapter reuses them) and serves each connection on its own
thread, as Stripe delivers webhooks in parallel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

from .app import ShopApp


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """One thread per connection; ``server_close`` waits for them."""

    daemon_threads = False
    block_on_close = True


class _Handler(WSGIRequestHandler):
    """wsgiref's handler, answering every request a kept-alive connection sends."""

    protocol_version = "HTTP/1.1"
    # wsgiref writes the headers and the body separately: without this, Nagle's algorithm
    # holds the body back until the client's delayed ACK, 40 ms per kept-alive request.
    disable_nagle_algorithm = True

    def handle(self) -> None:
        self.close_connection = True
        self._one_request()
        while not self.close_connection:
            self._one_request()

    def _one_request(self) -> None:
        self.close_connection = True
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            return
        if len(self.raw_requestline) > 65536:
            self.requestline, self.request_version, self.command = "", "", ""
            self.send_error(414)
            return
        if not self.parse_request():  # sets close_connection from the version and Connection header
            return
        handler = ServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True)
        handler.http_version = "1.1"
        handler.request_handler = self
        seen: list[dict[str, Any]] = []
        app = self.server.get_app()

        def run(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            seen.append(environ)
            return app(environ, start_response)

        handler.run(run)
        if not (seen and seen[0].get("shop.body_read")):
            self.close_connection = True  # the body may be unread: the stream is out of step

    def log_message(self, format: str, *args: object) -> None:
        """No access log: request lines would repeat webhook paths and ids nobody asked for."""


class BackgroundServer:
    """The app on ``host`` and a free port, served by a daemon thread until :meth:`stop`."""

    def __init__(self, app: ShopApp, host: str = "127.0.0.1") -> None:
        self._httpd: WSGIServer = make_server(host, 0, app, server_class=ThreadingWSGIServer, handler_class=_Handler)
        self.url = f"http://{host}:{self._httpd.server_port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="shop-wsgi", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and wait for every connection's thread, so the database can be closed safely."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def serve_forever(app: ShopApp, host: str, port: int) -> None:
    """Serve in the foreground (``python -m shop``)."""
    with make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=_Handler) as httpd:
        httpd.serve_forever()
