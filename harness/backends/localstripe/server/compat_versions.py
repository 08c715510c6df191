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
"""Every JSON response rendered in the shape of the request's ``Stripe-Version``.

Stock localstripe has one response shape for every version. Rendering happens on the way
out, after localstripe and the other compat layers, so that stored objects and events
stay in localstripe's own shape and each read renders them afresh at the version asked
(see render.py for where the shapes come from).
"""

from __future__ import annotations

import json

from aiohttp import web

from . import state
from .compat_errors import Handler
from .render import renderer_for


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Re-render a JSON body at the request's API version; anything else passes through."""
    response = await handler(request)
    renderer = renderer_for(state.api_version.get())
    if renderer is None or not isinstance(response, web.Response) or response.content_type != "application/json":
        return response
    body = response.body
    if not isinstance(body, bytes | bytearray) or not body:
        return response
    try:
        payload = json.loads(body)
    except ValueError:
        return response  # not ours to fix: the client sees what localstripe sent
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict) and "object" not in payload:
        rendered: object = {"error": renderer.error(payload["error"], state.request_id.get(), response.status)}
    else:
        rendered = renderer.render(payload, await _expand(request))
    response.body = json.dumps(rendered, indent=2, sort_keys=True).encode()
    return response


async def _expand(request: web.Request) -> list[str]:
    """The request's ``expand[]`` entries, from the query string and a form body (already read)."""
    pairs = list(request.query.items())
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        pairs += list((await request.post()).items())
    return [str(value) for key, value in pairs if key == "expand" or key.startswith("expand[")]
