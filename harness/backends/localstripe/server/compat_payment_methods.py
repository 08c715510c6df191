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
"""PaymentMethods and SetupIntents: test tokens, attaching on confirm, and their events.

Stock localstripe knows only three ``pm_card_*`` tokens (all branded visa), leaves the
PaymentMethod unattached when a SetupIntent for a customer is confirmed, refuses
``SetupIntent.create(payment_method=..., confirm=true)``, and emits no
``payment_method.attached``/``detached`` or ``setup_intent.succeeded`` events.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from localstripe.errors import UserError

from .compat_events import emit
from .patching import replace_classmethod

#: Stripe's test PaymentMethod ids: card number and brand. 4000000000000002 is declined
#: when attached; 4000000000000341 attaches and then fails when charged.
TEST_CARDS = {
    "pm_card_visa": ("4242424242424242", "visa"),
    "pm_card_visa_debit": ("4000056655665556", "visa"),
    "pm_card_mastercard": ("5555555555554444", "mastercard"),
    "pm_card_chargeDeclined": ("4000000000000002", "visa"),
    "pm_card_visa_chargeDeclined": ("4000000000000002", "visa"),
    "pm_card_chargeCustomerFail": ("4000000000000341", "visa"),
}


def patch(resources: ModuleType) -> None:
    """Install the PaymentMethod and SetupIntent fixes."""
    _patch_payment_methods(resources)
    _patch_setup_intents(resources)


def _patch_payment_methods(resources: ModuleType) -> None:
    pm_class = resources.PaymentMethod
    original_attach = pm_class._api_attach
    original_detach = pm_class._api_detach

    def test_card(cls: Any, id: str) -> Any:
        # Like Stripe, each use of a token makes a new pm_... object.
        if id not in TEST_CARDS:
            return None
        number, brand = TEST_CARDS[id]
        pm = cls(type="card", card={"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"})
        pm.card["brand"] = brand
        return pm

    def attach(cls: Any, id: str, **params: Any) -> Any:
        pm = original_attach(id, **params)
        emit(resources, "payment_method.attached", pm)
        return pm

    def detach(cls: Any, id: str, **params: Any) -> Any:
        pm = original_detach(id, **params)
        emit(resources, "payment_method.detached", pm)
        return pm

    replace_classmethod(pm_class, "_try_get_canonical_test_article", test_card)
    replace_classmethod(pm_class, "_api_attach", attach)
    replace_classmethod(pm_class, "_api_detach", detach)


def _patch_setup_intents(resources: ModuleType) -> None:
    si_class = resources.SetupIntent
    original_create = si_class._api_create
    original_confirm = si_class._api_confirm

    def create(cls: Any, payment_method: str | None = None, confirm: Any = None, **params: Any) -> Any:
        confirm = resources.try_convert_to_bool(confirm)
        if confirm not in (None, True, False) or (confirm and payment_method is None):
            raise UserError(400, "confirm=true needs a payment_method", {"param": "confirm"})
        # Resolve a pm_card_* token once, so that confirm uses the same new object.
        pm = resources.PaymentMethod._api_retrieve(payment_method) if payment_method is not None else None
        intent = original_create(**params)
        if pm is not None:
            intent.payment_method = pm.id
            intent.status = "requires_confirmation"
            if confirm:
                return confirm_intent(cls, intent.id)
        return intent

    def confirm_intent(cls: Any, id: str, **params: Any) -> Any:
        intent = cls._api_retrieve(id)
        if params.get("payment_method") is None and params.get("payment_method_data") is None and intent.payment_method:
            # Stock would mark it succeeded without checking the card for a decline.
            params["payment_method"] = intent.payment_method
        intent = original_confirm(id, **params)
        if intent.status == "succeeded":
            pm = resources.PaymentMethod._api_retrieve(intent.payment_method)
            if intent.customer and pm.customer is None:
                pm.customer = intent.customer
                emit(resources, "payment_method.attached", pm)
            emit(resources, "setup_intent.succeeded", intent)
        return intent

    replace_classmethod(si_class, "_api_create", create)
    replace_classmethod(si_class, "_api_confirm", confirm_intent)
