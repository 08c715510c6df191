"""A backend that forwards every request to a real HTTP server.

The localstripe compat server, stripe-mock and a live test-mode key all speak HTTP, so
they share this one forwarder: it keeps the request's path, query, body and headers,
swaps in the server's scheme and host, and turns socket failures into the
:class:`~harness.backends.base.NetworkError` subclasses that stripe-python would see
from its own connection.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

import requests
from urllib3.exceptions import NewConnectionError

from ..errors import ConfigError
from .base import Backend, ConnectFailed, ConnectionReset, ReadTimeout, Request, Response

#: Headers that describe one connection, not the request: the session sets its own.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "content-length",
        "host",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
#: ``requests`` has already decoded the body, so these would describe bytes we no longer hold.
_DECODED = frozenset({"content-encoding"})


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HTTPBackend(Backend):
    """Forwards each :class:`Request` to ``base_url`` over one pooled ``requests`` session.

    Args:
        base_url: ``scheme://host[:port][/prefix]`` of the server; the request's path is
            appended to the prefix.
        timeout: seconds to wait for the connection and then for the response.
        name: what reports call this backend (``"stripe-mock"``, ``"live"`` ...).
    """

    def __init__(self, base_url: str, *, timeout: float = 30.0, name: str = "http") -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            msg = f"base_url must look like 'http://127.0.0.1:12111' or 'https://api.stripe.com', got {base_url!r}"
            raise ConfigError(msg)
        self.name = name
        self.api_base = base_url.rstrip("/")
        self.timeout = timeout
        self._scheme, self._netloc, self._prefix = parts.scheme, parts.netloc, parts.path.rstrip("/")
        self._session = requests.Session()
        # Send exactly the headers stripe-python sent: no python-requests User-Agent or
        # Accept defaults that a recording would then capture.
        self._session.headers.clear()
        # A local server must be reached directly: an HTTP(S)_PROXY from the environment
        # would otherwise swallow 127.0.0.1 traffic, and ~/.netrc could replace the key.
        self._session.trust_env = not _is_loopback(parts.hostname)

    def _target(self, url: str) -> str:
        parts = urlsplit(url)
        return urlunsplit((self._scheme, self._netloc, self._prefix + parts.path, parts.query, ""))

    def handle_request(self, request: Request) -> Response:
        """Send ``request`` to the server; socket failures raise :class:`NetworkError` subclasses."""
        target = self._target(request.url)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            answer = self._session.request(
                request.method,
                target,
                headers=headers,
                data=request.body or None,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise ConnectFailed(f"{request.method} {target}: connect timed out ({exc})") from exc
        except requests.exceptions.ReadTimeout as exc:
            raise ReadTimeout(f"{request.method} {target}: no response within {self.timeout}s") from exc
        except requests.exceptions.ConnectionError as exc:
            # requests wraps urllib3's MaxRetryError; its reason says whether the
            # connection was ever made (refused, DNS) or dropped after sending.
            reason = getattr(exc.args[0], "reason", None) if exc.args else None
            if isinstance(reason, NewConnectionError):
                raise ConnectFailed(f"{request.method} {target}: {reason}") from exc
            raise ConnectionReset(f"{request.method} {target}: {exc}") from exc
        except requests.exceptions.RequestException as exc:
            raise ConnectionReset(f"{request.method} {target}: {type(exc).__name__}: {exc}") from exc
        dropped = _HOP_BY_HOP | _DECODED
        response_headers = {k: v for k, v in answer.headers.items() if k.lower() not in dropped}
        return Response(answer.status_code, response_headers, answer.content)

    def close(self) -> None:
        """Close the pooled connections (safe to call more than once)."""
        self._session.close()
