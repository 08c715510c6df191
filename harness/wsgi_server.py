"""A WSGI app served over real HTTP on 127.0.0.1 and a free port, from a background thread, by waitress.

For the harness's own endpoint (the reference webhook app) and for adapters that drive an
integration over HTTP (examples/shop). waitress reads every request on its event loop
before a worker thread sees it, so a slow or truncated body holds a connection until
``body_timeout``, never a thread; it answers 413 to a body over ``max_body`` as soon as
the headers announce it (or a chunked body passes it), and 400 to a Content-Length that is
not a number, before the app runs. It keeps connections alive and decodes chunked bodies.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import waitress
from waitress.server import BaseWSGIServer

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Largest request body accepted. Stripe's events are a few kilobytes; a megabyte leaves
#: room for a large expanded object and none for a body sent to exhaust memory.
MAX_BODY = 1024 * 1024
#: Seconds a connection may stay silent, mid-body or idle between kept-alive requests.
BODY_TIMEOUT = 30
#: Requests handled at once: as many as the harness delivers webhooks in parallel.
THREADS = 8


class BackgroundServer:
    """``app`` on ``host`` and a free port until :meth:`close`; ``url`` is its base address."""

    def __init__(
        self,
        app: App,
        *,
        host: str = "127.0.0.1",
        max_body: int = MAX_BODY,
        body_timeout: int = BODY_TIMEOUT,
        threads: int = THREADS,
    ) -> None:
        # The loop's socket map, ours so close() can empty it; waitress makes a private one otherwise.
        self._sockets: dict[int, Any] = {}
        self._server: BaseWSGIServer = waitress.create_server(
            app,
            map=self._sockets,
            host=host,
            port=0,
            threads=threads,
            max_request_body_size=max_body,
            channel_timeout=body_timeout,
            # How often silent connections are swept: at waitress's default (30 s) a 1 s timeout
            # would take up to 31 s.
            cleanup_interval=min(body_timeout, 30),
            ipv6=False,
        )
        self.url = f"http://{host}:{self._server.effective_port}"
        self._thread = threading.Thread(target=self._server.run, name="wsgi-server", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Finish the requests being handled, then close every connection and wait for the server thread."""
        self._server.task_dispatcher.shutdown()
        # asyncore's map belongs to the loop thread: it empties the map itself, which ends its loop.
        self._server.trigger.pull_trigger(self._close_all)
        self._thread.join()

    def _close_all(self) -> None:
        channels = [d for d in self._sockets.values() if d not in (self._server, self._server.trigger)]
        for channel in channels:
            channel.handle_close()
        self._server.close()  # the listening socket and the trigger: the map is empty, the loop ends

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
