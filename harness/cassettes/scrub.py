"""Secrets and personal data removed before a recording touches disk.

Pure functions over text, applied to every request and response body the recorder
keeps (request headers are never stored at all, response headers only from an allow
list). The same scrub runs on a replayed request before matching, so a scenario that
sends a real-looking e-mail address still finds its placeholder in the cassette.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vcr.request import Request as VcrRequest

from ..backends.base import Request, Response

#: Response headers worth keeping; everything else (cookies, CORS, ids of Stripe's
#: infrastructure) is noise at best and a leak at worst.
KEPT_RESPONSE_HEADERS = frozenset(
    {"content-type", "request-id", "stripe-version", "idempotent-replayed", "retry-after",
     "stripe-should-retry"}
)

_API_KEY = re.compile(r"\b(sk|rk)_(test|live)_[A-Za-z0-9]{4,}")
_WEBHOOK_SECRET = re.compile(r"\bwhsec_[A-Za-z0-9]{4,}")
_CLIENT_SECRET = re.compile(r"\b((?:seti|pi|src|cs|pm)_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+")
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-]+)@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")
_URL_ENCODED_AT = re.compile(r"\b([A-Za-z0-9._+-]+)%40([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")
#: Domains reserved for documentation (RFC 2606): addresses there are placeholders already.
_PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net", "example.test")


def _email_placeholder(local: str, domain: str) -> str:
    if domain.lower().endswith(_PLACEHOLDER_DOMAINS):
        return f"{local}@{domain}"
    digest = hashlib.sha256(f"{local}@{domain}".lower().encode()).hexdigest()[:12]
    return f"redacted-{digest}@example.com"


def scrub_text(text: str) -> str:
    """Replace API keys, webhook and client secrets and e-mail addresses in ``text``."""
    text = _API_KEY.sub(lambda m: f"{m[1]}_{m[2]}_REDACTED", text)
    text = _WEBHOOK_SECRET.sub("whsec_REDACTED", text)
    text = _CLIENT_SECRET.sub(lambda m: f"{m[1]}_secret_REDACTED", text)
    text = _EMAIL.sub(lambda m: _email_placeholder(m[1], m[2]), text)
    return _URL_ENCODED_AT.sub(
        lambda m: _email_placeholder(m[1], m[2]).replace("@", "%40"), text
    )


def scrub_bytes(data: bytes) -> bytes:
    """:func:`scrub_text` for a body that may or may not be UTF-8."""
    if not data:
        return data
    try:
        return scrub_text(data.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:
        return data


def kept_headers(headers: dict[str, str]) -> dict[str, str]:
    """The response headers a cassette keeps, values scrubbed."""
    return {k: scrub_text(v) for k, v in headers.items() if k.lower() in KEPT_RESPONSE_HEADERS}


def scrub_request(request: Request) -> VcrRequest:
    """The request as a cassette keeps it: no headers, secrets scrubbed from URL and body.

    The host is always written as api.stripe.com, whatever backend answered (the
    metadata names it), so re-recordings on another port or server compare equal.
    """
    parts = urlsplit(request.url)
    url = scrub_bytes(urlunsplit(("https", "api.stripe.com", parts.path, parts.query, "")).encode()).decode()
    return VcrRequest(request.method, url, scrub_bytes(request.body) or None, {})


def scrub_response(response: Response) -> dict[str, Any]:
    """The response in vcrpy's shape, with allowed headers only and secrets scrubbed."""
    return {
        "status": {"code": response.status, "message": ""},
        "headers": {k: [v] for k, v in kept_headers(response.headers).items()},
        "body": {"string": scrub_bytes(response.body)},
    }
