"""The seam between stripe-python and a harness backend, portable from stripe 5.x to 16.x.

Every release since 2.x lets an application install its own ``HTTPClient`` subclass
(``stripe.default_http_client``, or ``StripeClient(http_client=...)`` from 8.0). The
subclass only has to implement ``request(method, url, headers, post_data)`` and
``close()``; the library's own retry loop stays in charge, so the harness observes the
library exactly as production would, without patching sockets.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import stripe
from requests.structures import CaseInsensitiveDict

from .backends.base import Backend, NetworkError, Request

try:  # stripe >= 7
    from stripe._http_client import HTTPClient as _StripeHTTPClient
except ImportError:  # stripe 2.x - 6.x
    from stripe.http_client import HTTPClient as _StripeHTTPClient


def stripe_error(name: str) -> type[Exception]:
    """The exception class ``name`` wherever this stripe release keeps it.

    2.x-6.x keep them in ``stripe.error`` only; 7.x-12.x in both places; 13.x removed
    ``stripe.error``; 14.0.1 brought it back as an alias. ``stripe.<name>`` first is right
    on every release that has it.
    """
    found = getattr(stripe, name, None)
    if isinstance(found, type):
        return found
    return getattr(stripe.error, name)


def stripe_version() -> str:
    """The installed stripe-python release (``stripe.VERSION`` is missing before 7.8)."""
    from importlib.metadata import version

    return version("stripe")


class HarnessHTTPClient(_StripeHTTPClient):
    """Routes stripe-python's HTTP traffic to a harness :class:`Backend`."""

    name = "stripe-compat"

    def __init__(self, backend: Backend) -> None:
        super().__init__(verify_ssl_certs=True, proxy=None)
        self.backend = backend

    def request(
        self, method: str, url: str, headers: Any, post_data: Any = None, **_: Any
    ) -> tuple[bytes, int, CaseInsensitiveDict[str]]:
        if isinstance(post_data, str):
            post_data = post_data.encode("utf-8")
        request = Request(method.upper(), url, dict(headers or {}), post_data or b"")
        try:
            response = self.backend.handle_request(request)
        except NetworkError as exc:
            error = stripe_error("APIConnectionError")
            raise error(
                f"Network error talking to Stripe ({type(exc).__name__}): {exc}",
                should_retry=exc.should_retry,
            ) from exc
        return response.body, response.status, CaseInsensitiveDict(response.headers)

    def request_stream(self, *args: Any, **kwargs: Any) -> Any:
        msg = "Streaming responses are not used by the billing scenarios."
        raise NotImplementedError(msg)

    def close(self) -> None:
        """The backend outlives the client; its owner closes it."""


_GLOBALS = ("api_base", "default_http_client", "max_network_retries", "api_key", "api_version")


@contextlib.contextmanager
def routed_to(backend: Backend) -> Iterator[HarnessHTTPClient]:
    """Send stripe-python's global-style traffic to ``backend`` and restore globals after.

    Retries are switched off (11.0 turned them on by default) so that one recording
    serves every release: an integration that wants retries does them itself, visibly.
    """
    saved = {name: getattr(stripe, name) for name in _GLOBALS}
    client = HarnessHTTPClient(backend)
    stripe.default_http_client = client
    stripe.api_base = backend.api_base
    stripe.max_network_retries = 0
    try:
        yield client
    finally:
        for name, value in saved.items():
            setattr(stripe, name, value)
