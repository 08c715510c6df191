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
"""Customer discounts: ``coupon`` on customer create and update, as Stripe took it before basil.

Stock localstripe refuses ``Customer.create(coupon=...)`` ("Received unknown parameter"), so no
cassette ever held a customer with a discount, and the clover change of the discount's shape
(``discount.coupon`` object -> ``discount.source.coupon`` id) tested nothing. Before
2025-03-31.basil the coupon becomes the customer's ``discount`` (and a
``customer.discount.created`` event); from basil on Stripe removed the parameter from the
Customer endpoints, and so does this fake: the call is a 400 "Received unknown parameter: coupon".
The discount is stored in localstripe's (legacy) shape; render.py gives it each version's.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from localstripe.errors import UserError

from . import state
from .compat_events import emit
from .patching import replace_classmethod

#: From this version on Customer create/update have no ``coupon`` (changelog, basil, 2025-03-31:
#: "Removes coupon and promotion code parameters with stackable discounts").
REMOVED_IN = "2025-03-31"


def patch(resources: ModuleType) -> None:
    """Accept ``coupon`` on customer create and update where the pinned version has it."""
    customer_class = resources.Customer
    original_create = customer_class._api_create
    original_update = customer_class._api_update

    class Discount(resources.StripeObject):  # type: ignore[misc, name-defined]
        object = "discount"
        _id_prefix = "di_"

        def __init__(self, coupon: Any, customer: str) -> None:
            super().__init__()
            self.coupon, self.customer, self.start = coupon, customer, self.created
            self.end = self.invoice = self.invoice_item = self.subscription = None
            self.checkout_session = self.promotion_code = self.subscription_item = None

    def coupon_for(coupon: Any) -> Any:
        """The coupon a request names; a 400 where the pinned version has no such parameter."""
        if state.api_version.get()[:10] >= REMOVED_IN:
            raise UserError(400, "Unexpected coupon")
        if not isinstance(coupon, str) or not coupon:
            raise UserError(400, "Invalid coupon", {"param": "coupon"})
        return resources.Coupon._api_retrieve(coupon)

    def apply(customer: Any, coupon: Any) -> None:
        customer.discount = Discount(coupon, customer.id)
        emit(resources, "customer.discount.created", customer.discount)

    def create(cls: Any, coupon: Any = None, **data: Any) -> Any:
        found = coupon_for(coupon) if coupon is not None else None  # refuse before anything is stored
        customer = original_create(**data)
        if found is not None:
            apply(customer, found)
        return customer

    def update(cls: Any, id: str, coupon: Any = None, **data: Any) -> Any:
        if coupon is not None:
            apply(cls._api_retrieve(id), coupon_for(coupon))
        return original_update(id, **data)

    replace_classmethod(customer_class, "_api_create", create)
    replace_classmethod(customer_class, "_api_update", update)
