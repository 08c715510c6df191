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
"""The localstripe aiohttp app with persistence off and the compat layer installed.

Order matters twice: the resource patches must run before ``localstripe.server`` is
imported (it captures route handlers at import), and the middlewares wrap localstripe's
own, outermost first, so that every response, errors included, gets Stripe's headers.
"""

from __future__ import annotations

from typing import Any

import localstripe
from aiohttp import web
from localstripe import resources

from . import (
    compat_auth,
    compat_customers,
    compat_discounts,
    compat_errors,
    compat_events,
    compat_headers,
    compat_idempotency,
    compat_invoices,
    compat_payment_method_types,
    compat_payment_methods,
    compat_versions,
    state,
)
from .compat_errors import Handler


def _no_persistence(store: Any) -> None:
    """localstripe pickles its whole store to /tmp/localstripe.pickle on every write."""


def disable_persistence() -> None:
    """Keep the store in memory only: no shared /tmp file, no O(store) cost per write."""
    resources.Store.dump_to_disk = _no_persistence
    resources.Store.try_load_from_disk = _no_persistence


@web.middleware
async def _reset(request: web.Request, handler: Handler) -> web.StreamResponse:
    # localstripe's own handler then clears the store (objects and events).
    if request.method == "DELETE" and request.path == "/_config/data":
        state.reset()
    return await handler(request)


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "localstripe": localstripe.__version__})


def build(api_key: str, *, strict_keys: bool) -> web.Application:
    """localstripe's app, patched and wrapped; call once per process."""
    disable_persistence()
    compat_errors.patch(resources)
    compat_events.patch(resources)
    compat_customers.patch(resources)
    compat_payment_methods.patch(resources)
    compat_invoices.patch(resources)
    compat_discounts.patch(resources)
    compat_payment_method_types.patch(resources)  # after compat_payment_methods: it wraps its create

    from localstripe import server  # only now: it registers the routes it finds patched

    app: web.Application = server.app
    app.middlewares[0:0] = [
        compat_headers.middleware,
        compat_versions.middleware,
        compat_errors.middleware,
        compat_auth.middleware(api_key, strict=strict_keys),
        _reset,
        compat_idempotency.middleware,
        compat_customers.middleware,
    ]
    app.router.add_get("/_config/health", _health)
    return app
