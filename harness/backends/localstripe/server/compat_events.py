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
"""Events: stamped with the API version and request that caused them, listed newest first.

Stock localstripe hard-codes ``api_version: "2017-08-15"`` on every event, lists them
oldest first, and schedules a webhook task (which sleeps a second) for every event even
when no endpoint is registered.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from localstripe import webhooks

from . import state
from .patching import replace_classmethod


def emit(resources: ModuleType, kind: str, obj: Any) -> None:
    """Record the event ``kind`` for ``obj`` and deliver it to registered webhooks."""
    resources.schedule_webhook(resources.Event(kind, obj))


def patch(resources: ModuleType) -> None:
    """Stamp, reorder, and skip webhook work when nobody listens."""
    event_class = resources.Event
    original_init = event_class.__init__

    def init(self: Any, type: str, data: Any) -> None:
        original_init(self, type, data)
        self.api_version = state.api_version.get()
        self.request = {"id": state.request_id.get(), "idempotency_key": state.idempotency_key.get()}

    event_class.__init__ = init

    original_list = event_class._api_list_all

    def list_all(cls: Any, url: str, **params: Any) -> Any:
        found = original_list(url, **params)
        found._list.reverse()  # the store keeps creation order
        return found

    replace_classmethod(event_class, "_api_list_all", list_all)

    original_schedule = resources.schedule_webhook

    def schedule_webhook(event: Any) -> None:
        if webhooks._webhooks:
            original_schedule(event)

    resources.schedule_webhook = schedule_webhook
