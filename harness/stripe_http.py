"""The seam between stripe-python and a harness backend, portable from stripe 5.x to 16.x.

Every release since 2.x lets an application install its own ``HTTPClient`` subclass
(``stripe.default_http_client``, or ``StripeClient(http_client=...)`` from 8.0). The
subclass only has to implement ``request(method, url, headers, post_data)`` and
``close()``; the library's own retry loop stays in charge, so the harness observes the
library exactly as production would, without patching sockets.

That includes its automatic retries (``max_network_retries``): the harness leaves the
integration's setting, or the library's default, alone, and only skips the back-off
sleep between attempts (see :meth:`HarnessHTTPClient._sleep_time_seconds`); the request
log counts the attempts of one request as one call.
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


#: What this release sends as Stripe-Version when nothing pins one (None: no header, the
#: account's default applies). Read at import, before any integration can set the global.
_LIBRARY_DEFAULT_API_VERSION: str | None = stripe.api_version


def library_default_api_version() -> str | None:
    """The API version the installed stripe release sends when the integration does not pin one."""
    return _LIBRARY_DEFAULT_API_VERSION


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

    def _sleep_time_seconds(self, *args: Any, **kwargs: Any) -> float:
        # The library's retry back-off (0.5 s and up per attempt). Its retries still
        # happen, as in production; waiting for them would only slow every cell down.
        return 0.0

    def request_stream(self, *args: Any, **kwargs: Any) -> Any:
        msg = "Streaming responses are not used by the billing scenarios."
        raise NotImplementedError(msg)

    def close(self) -> None:
        """The backend outlives the client; its owner closes it."""


_GLOBALS = ("api_base", "default_http_client", "max_network_retries", "api_key", "api_version")


@contextlib.contextmanager
def routed_to(backend: Backend) -> Iterator[HarnessHTTPClient]:
    """Send stripe-python's global-style traffic to ``backend`` and restore globals after.

    ``max_network_retries`` and ``api_version`` keep the library's defaults (2 retries and
    the release's pinned version on recent releases), so an integration that relies on
    them is tested as it runs; whatever a scenario's integration sets is undone after it.
    """
    saved = {name: getattr(stripe, name) for name in _GLOBALS}
    client = HarnessHTTPClient(backend)
    stripe.default_http_client = client
    stripe.api_base = backend.api_base
    try:
        yield client
    finally:
        for name, value in saved.items():
            setattr(stripe, name, value)
