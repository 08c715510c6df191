# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) stripe-compat contributors
#
# This program is free software: you can redistribute it and/or modify it under the terms of
# the GNU General Public License as published by the Free Software Foundation, either version 3
# of the License, or (at your option) any later version.
#
# This program is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY;
# without even the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.
# See the GNU General Public License for more details: <https://www.gnu.org/licenses/>.
"""API keys: an optional strict mode, and Stripe's 401 messages that never echo the key.

Stock localstripe accepts any ``sk_...`` key, so the "misconfigured key" scenario gets a
200. With ``--strict-keys`` only the configured key is accepted on ``/v1/``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json

from aiohttp import web

from .compat_errors import Handler, Middleware, error_response

_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization header, "
    "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication "
    "for details, or we can help at https://support.stripe.com/."
)
_PREFIXES = ("sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_")


def api_key_of(request: web.Request) -> str | None:
    """The key from a Bearer or Basic Authorization header (None when absent or empty)."""
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "basic":
        try:
            value = base64.b64decode(value, validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            return None
    elif scheme.lower() != "bearer":
        return None
    return value or None


def mask(key: str) -> str:
    """``sk_test_****wxyz``: the prefix and last 4 characters only, as Stripe prints keys."""
    prefix = next((p for p in _PREFIXES if key.startswith(p)), "")
    secret = key[len(prefix) :]
    # A short secret would be half given away by its last four characters.
    shown = secret[-4:] if len(secret) > 8 else ""
    return prefix + "*" * (len(secret) - len(shown)) + shown


def _unauthorized(key: str | None) -> web.Response:
    message = f"Invalid API Key provided: {mask(key)}" if key else _NO_KEY
    return error_response(401, "invalid_request_error", message)


def middleware(api_key: str, *, strict: bool) -> Middleware:
    """The auth middleware: strict (only ``api_key``) or localstripe's own rule (any ``sk_``)."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/v1/"):
            return await handler(request)
        sent = api_key_of(request)
        if strict:
            if sent is None or not hmac.compare_digest(sent.encode(), api_key.encode()):
                return _unauthorized(sent)
            return await handler(request)
        response = await handler(request)
        # localstripe's own check rejected the key: say why the way Stripe does.
        if response.status == 401 and (sent is None or not sent.startswith("sk_")):
            body = response.body if isinstance(response, web.Response) else None
            if isinstance(body, bytes) and json.loads(body).get("error", {}).get("message") == "Unauthorized":
                return _unauthorized(sent)
        return response

    return check
