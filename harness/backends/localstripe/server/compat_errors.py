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
"""Every error leaves the server as Stripe-shaped JSON.

Stock localstripe answers unknown routes with aiohttp's text/plain 404 (stripe-python
then reports "Invalid response body"), crashes with a text/plain 500, says "Not Found"
without ``code: resource_missing`` (which integrations test for to repair deleted
customers), and gives declines the ``invalid_request_error`` type.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

from aiohttp import web
from localstripe.errors import UserError

from .patching import replace_classmethod

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]

_log = logging.getLogger("stripe_compat.server")

#: How Stripe names an object in "No such ..." messages, where it is not the ``object`` value.
_MISSING_NAMES = {"payment_method": "PaymentMethod", "setup_intent": "setupintent"}

_UNEXPECTED = re.compile(r"^Unexpected ([^,]+)")


def error_response(status: int, kind: str, message: str, **extra: Any) -> web.Response:
    """A Stripe error body; fields that are None are left out, as Stripe does."""
    error = {"type": kind, "message": message, **{k: v for k, v in extra.items() if v is not None}}
    return web.json_response({"error": error}, status=status)


def missing(obj: str, id: str) -> UserError:
    """The 404 Stripe gives for an unknown id: ``No such customer: 'cus_123'``."""
    name = _MISSING_NAMES.get(obj, obj)
    return UserError(404, f"No such {name}: '{id}'", {"code": "resource_missing", "param": "id"})


def patch(resources: ModuleType) -> None:
    """Make localstripe's lookups raise ``resource_missing`` 404s."""
    store = resources.store

    def retrieve(cls: Any, id: str) -> Any:
        obj = store.get(f"{cls.object}:{id}")
        if obj is None:
            raise missing(cls.object, id)
        return obj

    def delete(cls: Any, id: str) -> Any:
        if store.pop(f"{cls.object}:{id}", None) is None:
            raise missing(cls.object, id)
        return resources.DeletedObject(id, cls.object)

    replace_classmethod(resources.StripeObject, "_api_retrieve", retrieve)
    replace_classmethod(resources.StripeObject, "_api_delete", delete)


def _normalize(status: int, error: dict[str, Any]) -> dict[str, Any]:
    error = {k: v for k, v in error.items() if v is not None}
    message = str(error.get("message") or "")
    if status >= 500:
        error["type"] = "api_error"
    elif status == 402:
        # stripe-python maps 402 to CardError whatever the type, but integrations read it.
        error["type"] = "card_error"
        if error.get("code") == "card_declined":
            error.setdefault("decline_code", "generic_decline")
    else:
        error.setdefault("type", "invalid_request_error")
        unexpected = _UNEXPECTED.match(message)
        if unexpected:
            name = unexpected.group(1).strip()
            error.update(message=f"Received unknown parameter: {name}", param=name, code="parameter_unknown")
        elif status == 404 and message == "Not Found":
            error["code"] = "resource_missing"
    error["message"] = error.get("message") or "An unknown error occurred."
    return error


def _from_response(response: web.Response) -> web.Response:
    try:
        payload = json.loads(response.body) if isinstance(response.body, bytes) else None
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        error = payload["error"]
    else:
        text = response.body.decode("utf-8", "replace") if isinstance(response.body, bytes) else ""
        error = {"message": text.strip() or response.reason}
    return web.json_response({"error": _normalize(response.status, error)}, status=response.status)


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn whatever went wrong into the JSON error Stripe would have sent."""
    try:
        response = await handler(request)
    except UserError as exc:
        response = exc.to_response()
    except web.HTTPException as exc:
        if exc.status in (404, 405):
            # Stripe answers any method/path it does not serve with this 404.
            return error_response(
                404,
                "invalid_request_error",
                f"Unrecognized request URL ({request.method}: {request.path}). "
                "Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
            )
        response = exc
    except Exception as exc:
        _log.exception("localstripe failed on %s %s", request.method, request.path)
        return error_response(500, "api_error", f"localstripe raised {type(exc).__name__}: {exc}")
    if response.status >= 400 and isinstance(response, web.Response):
        return _from_response(response)
    return response
