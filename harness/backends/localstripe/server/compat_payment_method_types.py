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
"""``payment_method_types`` on PaymentIntents and SetupIntents: writable until endive.

Changelog, endive, 2026-09-30 ("Removes the payment method types parameter from Payment Intents
and Setup Intents"): passing it to create, update or confirm "returns a 400 error with the code
``payment_method_types_no_longer_supported``"; the objects keep it as a read-only property.
``allowed_payment_method_types`` (from 2026-07-29.dahlia) is the replacement that filters; this
fake accepts it and reflects it in ``payment_method_types``. Stock localstripe answered 200 to
both at every version, so an upgrade to endive of code that sets the types looked safe.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from localstripe.errors import UserError

from . import state
from .patching import replace_classmethod

REMOVED_IN = "2026-09-30"
ALLOWED_FROM = "2026-07-29"

MESSAGE = (
    "The parameter payment_method_types is no longer supported in this API version. Use "
    "allowed_payment_method_types or excluded_payment_method_types, or dynamic payment methods."
)


def check(params: dict[str, Any]) -> dict[str, Any]:
    """The params localstripe understands; a 400 for what the pinned version refuses."""
    version = state.api_version.get()[:10]
    if "payment_method_types" in params and version >= REMOVED_IN:
        raise UserError(
            400, MESSAGE, {"code": "payment_method_types_no_longer_supported", "param": "payment_method_types"}
        )
    allowed = params.pop("allowed_payment_method_types", None)
    if allowed is not None:
        if version < ALLOWED_FROM:
            raise UserError(400, "Unexpected allowed_payment_method_types")
        params["payment_method_types"] = allowed
    return params


def patch(resources: ModuleType) -> None:
    """Check the parameter on every intent method that takes it."""
    for cls, names in (
        (resources.SetupIntent, ("_api_create", "_api_update")),
        (resources.PaymentIntent, ("_api_create", "_api_update", "_api_confirm")),
    ):
        for name in names:
            _guard(cls, name)


def _guard(cls: type, name: str) -> None:
    original = getattr(cls, name)
    if name == "_api_create":

        def create(klass: Any, **params: Any) -> Any:
            return original(**check(params))

        replace_classmethod(cls, name, create)
    else:

        def by_id(klass: Any, id: str, **params: Any) -> Any:
            return original(id, **check(params))

        replace_classmethod(cls, name, by_id)
