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
"""What the compat modules share: the current request's context and the reset hooks.

Each aiohttp request runs in its own task, so context variables set by the outermost
middleware are visible to the localstripe code that handles the request (and that creates
the events) without threading them through localstripe's signatures.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

#: What an account with no pinned version would get: the version stripe-mock serves.
DEFAULT_API_VERSION = "2020-08-27"

#: The Stripe-Version the current request asked for.
api_version: ContextVar[str] = ContextVar("api_version", default=DEFAULT_API_VERSION)
#: The Request-Id the current response will carry.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
#: The Idempotency-Key the current request sent, if any.
idempotency_key: ContextVar[str | None] = ContextVar("idempotency_key", default=None)

_reset_hooks: list[Callable[[], None]] = []


def on_reset(hook: Callable[[], None]) -> Callable[[], None]:
    """Register hook to run on ``DELETE /_config/data`` (usable as a decorator)."""
    _reset_hooks.append(hook)
    return hook


def reset() -> None:
    """Forget every piece of compat state, so the next scenario starts from an empty account."""
    for hook in _reset_hooks:
        hook()
