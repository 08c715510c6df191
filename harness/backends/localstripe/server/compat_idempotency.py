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
"""Idempotency keys: a retried POST gets the original response back, never a second object.

Stock localstripe ignores ``Idempotency-Key``, so a retry after a timeout creates a
duplicate customer: exactly the bug the harness wants to be able to show. Keys are scoped
per API key, like Stripe's, and forgotten on ``DELETE /_config/data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from aiohttp import web

from . import state
from .compat_auth import api_key_of
from .compat_errors import Handler, error_response

#: Not saved, as Stripe does not save them: a request that failed validation or collided
#: with a concurrent one may be retried with the same key once fixed.
_NOT_SAVED = frozenset({400, 409, 429})


@dataclass(frozen=True)
class _Saved:
    fingerprint: tuple[object, ...]
    status: int
    body: bytes
    content_type: str
    request_id: str | None


_saved: dict[tuple[str, str], _Saved] = {}
_in_flight: set[tuple[str, str]] = set()


@state.on_reset
def _forget() -> None:
    _saved.clear()
    _in_flight.clear()


def _fingerprint(request: web.Request, body: bytes) -> tuple[object, ...]:
    # Sorted pairs: the same parameters are the same request whatever order a library
    # encodes them in; True/true differences stay visible, as they are different requests.
    params = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return (request.method, request.path, request.query_string, tuple(sorted(params)))


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Replay, reject or record a keyed POST."""
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    scope = (api_key_of(request) or "", key)
    fingerprint = _fingerprint(request, await request.read())
    saved = _saved.get(scope)
    if saved is not None:
        if saved.fingerprint != fingerprint:
            return error_response(
                400,
                "idempotency_error",
                "Keys for idempotent requests can only be used with the same parameters they were first used with. "
                f"Try using a key other than '{key}' if you meant to execute a different request.",
            )
        replay = web.Response(status=saved.status, body=saved.body, headers={"Content-Type": saved.content_type})
        replay.headers["Idempotent-Replayed"] = "true"
        if saved.request_id:
            replay.headers["Original-Request"] = saved.request_id
        return replay
    if scope in _in_flight:
        return error_response(
            409,
            "invalid_request_error",
            f"There is currently another in-progress request using this Stripe token: {key}. Please try again later.",
            code="idempotency_key_in_use",
        )
    _in_flight.add(scope)
    try:
        response = await handler(request)
    finally:
        _in_flight.discard(scope)
    if response.status not in _NOT_SAVED and isinstance(response, web.Response) and isinstance(response.body, bytes):
        content_type = response.headers.get("Content-Type", "application/json")
        _saved[scope] = _Saved(fingerprint, response.status, response.body, content_type, state.request_id.get())
    return response
