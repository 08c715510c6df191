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
"""Request-Id, Stripe-Version and Idempotency-Key on every response.

Stock localstripe sends none of them, so ``last_response.request_id`` is None and an
integration that logs request ids (or a cassette that keeps them) sees nothing. The
version is echoed, not honoured: response shapes stay localstripe's.
"""

from __future__ import annotations

import random
import string

from aiohttp import web

from . import state
from .compat_errors import Handler

_ALPHABET = string.ascii_letters + string.digits


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Set the request's context for the inner layers, then stamp the response headers."""
    version = request.headers.get("Stripe-Version") or state.DEFAULT_API_VERSION
    key = request.headers.get("Idempotency-Key")
    # Ids only need to be unique, not unguessable: random is several times cheaper than secrets.
    request_id = "req_" + "".join(random.choices(_ALPHABET, k=14))
    tokens = (state.api_version.set(version), state.request_id.set(request_id), state.idempotency_key.set(key))
    try:
        response = await handler(request)
    finally:
        state.api_version.reset(tokens[0])
        state.request_id.reset(tokens[1])
        state.idempotency_key.reset(tokens[2])
    response.headers["Request-Id"] = request_id
    response.headers["Stripe-Version"] = version
    if key:
        response.headers["Idempotency-Key"] = key
    return response
