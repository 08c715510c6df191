"""Serve the WSGI app with waitress (``python -m shop``), with the limits a public endpoint needs.

waitress reads every request on its event loop before a worker thread runs the app, so a
slow or truncated body holds a connection until ``BODY_TIMEOUT``, never a thread. It
answers 413 to a body over ``MAX_BODY`` without reading it, 400 to a Content-Length that
is not a number, keeps connections alive (HTTP/1.1) and decodes chunked bodies. The
stripe-compat adapter serves the app with the same limits (see adapter.py).
"""

from __future__ import annotations

import waitress

from .app import ShopApp

#: Largest request body: Stripe's events are a few kilobytes, the shop's own requests less.
MAX_BODY = 1024 * 1024
#: Seconds a connection may stay silent, mid-body or idle between kept-alive requests.
BODY_TIMEOUT = 30
#: Requests handled at once: Stripe delivers webhooks in parallel.
THREADS = 8


def serve_forever(app: ShopApp, host: str, port: int) -> None:
    """Serve in the foreground until interrupted."""
    waitress.serve(
        app, host=host, port=port, threads=THREADS, max_request_body_size=MAX_BODY, channel_timeout=BODY_TIMEOUT
    )
