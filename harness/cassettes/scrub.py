"""Secrets and personal data removed before a recording touches disk.

Pure functions over text, applied to every request and response body the recorder
keeps (request headers are never stored at all, response headers only from an allow
list). The same scrub runs on a replayed request before matching, so a scenario that
sends a real-looking e-mail address still finds its placeholder in the cassette.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vcr.request import Request as VcrRequest

from ..backends.base import Request, Response
from .secret_patterns import replace_all

#: Response headers worth keeping; everything else (cookies, CORS, ids of Stripe's
#: infrastructure) is noise at best and a leak at worst.
KEPT_RESPONSE_HEADERS = frozenset(
    {"content-type", "request-id", "stripe-version", "idempotent-replayed", "retry-after",
     "stripe-should-retry"}
)


#: A team's own filters, from the ``pytest_stripe_compat_scrubbers`` hook (:mod:`harness.hookspecs`);
#: the plugin sets them for a run's scenarios and empties the list after.
TEAM_RULES: list[Callable[[str], str]] = []


def scrub_text(text: str) -> str:
    """Replace every secret :mod:`~harness.cassettes.secret_patterns` knows, in any encoding, then a team's own."""
    text = replace_all(text)
    for rule in TEAM_RULES:
        text = rule(text)
    return text


def scrub_bytes(data: bytes) -> bytes:
    """:func:`scrub_text` for a body that may or may not be UTF-8.

    Bytes that are not UTF-8 pass through unchanged (``surrogateescape``), so one stray
    byte cannot exempt the rest of the body.
    """
    if not data:
        return data
    return scrub_text(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


def kept_headers(headers: dict[str, str]) -> dict[str, str]:
    """The response headers a cassette keeps, values scrubbed."""
    return {k: scrub_text(v) for k, v in headers.items() if k.lower() in KEPT_RESPONSE_HEADERS}


def as_recorded(request: Request) -> VcrRequest:
    """The request in a cassette's shape, before scrubbing: no headers, the host written as api.stripe.com.

    The host is always api.stripe.com, whatever backend answered (the metadata names it),
    so re-recordings on another port or server compare equal.
    """
    parts = urlsplit(request.url)
    url = urlunsplit(("https", "api.stripe.com", parts.path, parts.query, ""))
    return VcrRequest(request.method, url, request.body or None, {})


def scrub_request(request: Request) -> VcrRequest:
    """The request as a cassette keeps it: :func:`as_recorded`, with secrets scrubbed from URL and body."""
    shaped = as_recorded(request)
    return VcrRequest(shaped.method, scrub_bytes(shaped.uri.encode()).decode(), scrub_bytes(request.body) or None, {})


def scrub_response(response: Response) -> dict[str, Any]:
    """The response in vcrpy's shape, with allowed headers only and secrets scrubbed."""
    return {
        "status": {"code": response.status, "message": ""},
        "headers": {k: [v] for k, v in kept_headers(response.headers).items()},
        "body": {"string": scrub_bytes(response.body)},
    }
