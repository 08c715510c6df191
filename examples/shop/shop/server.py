"""Serve the WSGI app with the standard library's server, in the foreground or a thread."""

from __future__ import annotations

import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .app import ShopApp


class _QuietHandler(WSGIRequestHandler):
    """No access log: request lines would repeat webhook paths and ids nobody asked for."""

    def log_message(self, format: str, *args: object) -> None:
        pass


class BackgroundServer:
    """The app on ``host`` and a free port, served by a daemon thread until :meth:`stop`."""

    def __init__(self, app: ShopApp, host: str = "127.0.0.1") -> None:
        self._httpd: WSGIServer = make_server(host, 0, app, handler_class=_QuietHandler)
        self.url = f"http://{host}:{self._httpd.server_port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="shop-wsgi", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and wait for the thread, so the database can be closed safely."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def serve_forever(app: ShopApp, host: str, port: int) -> None:
    """Serve in the foreground (``python -m shop``)."""
    with make_server(host, port, app) as httpd:
        httpd.serve_forever()
