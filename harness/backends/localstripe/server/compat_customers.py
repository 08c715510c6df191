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
"""Customers: a deleted customer reads back as deleted, and lists are newest first.

Real Stripe answers ``GET /v1/customers/{id}`` for a deleted customer with 200 and
``{"id", "object": "customer", "deleted": true}``; integrations rely on that to tell
"deleted in the dashboard" from "never existed". Stock localstripe forgets the id.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from aiohttp import web

from . import state
from .compat_errors import Handler
from .patching import replace_classmethod

_deleted: set[str] = set()
state.on_reset(_deleted.clear)

_RETRIEVE = "/v1/customers/{id}"


def patch(resources: ModuleType) -> None:
    """Remember deletions and list newest first."""
    customer_class = resources.Customer
    original_delete = customer_class._api_delete
    original_list = customer_class._api_list_all

    def delete(cls: Any, id: str) -> Any:
        deleted = original_delete(id)
        _deleted.add(id)
        return deleted

    def list_all(cls: Any, url: str, **params: Any) -> Any:
        found = original_list(url, **params)
        found._list.reverse()  # the store keeps creation order
        return found

    replace_classmethod(customer_class, "_api_delete", delete)
    replace_classmethod(customer_class, "_api_list_all", list_all)


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer a retrieve of a deleted customer; everything else goes to localstripe."""
    # Only the public retrieve route: internal lookups (invoices, PaymentMethods) must
    # still find a deleted customer missing.
    if request.method == "GET" and getattr(request.match_info.route.resource, "canonical", None) == _RETRIEVE:
        id = request.match_info["id"]
        if id in _deleted:
            return web.json_response({"id": id, "object": "customer", "deleted": True})
    return await handler(request)
