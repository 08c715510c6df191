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
"""One-off invoices: create a draft, add items to it, finalize it, pay it.

Stock localstripe only invoices subscriptions: ``Invoice.create`` for a customer without
one is a 404 ("No upcoming invoices"), ``auto_advance``/``collection_method`` crash it
(500), ``InvoiceItem.create(invoice=...)`` never reaches the invoice's lines, and there
is no ``/finalize`` route at all. ``Invoice.create`` with ``subscription=`` is left to
localstripe (which previews the next period, unlike Stripe).
"""

from __future__ import annotations

import time
from types import ModuleType
from typing import Any

from localstripe.errors import UserError

from . import state
from .compat_events import emit
from .patching import add_route, replace_classmethod

_BEHAVIORS = ("include", "exclude", "include_and_require")
_COLLECTION = ("charge_automatically", "send_invoice")
#: From this API version on, Stripe leaves pending items out unless asked (before, it
#: required at least one: ``include_and_require``).
_EXCLUDE_FROM = "2022-08-01"


def _unknown(params: dict[str, Any]) -> None:
    if params:
        raise UserError(400, "Unexpected " + ", ".join(params))


def default_behavior(api_version: str) -> str:
    """What ``pending_invoice_items_behavior`` means when omitted, per the OpenAPI spec of each version."""
    return "exclude" if api_version[:10] >= _EXCLUDE_FROM else "include_and_require"


def patch(resources: ModuleType) -> None:
    """Install the invoice fixes and the ``/finalize`` route."""
    invoice_class = resources.Invoice
    original_create = invoice_class._api_create
    original_create_item = resources.InvoiceItem._api_create
    original_paid = invoice_class._on_payment_success

    def create(
        cls: Any,
        customer: Any = None,
        subscription: Any = None,
        auto_advance: Any = None,
        collection_method: Any = None,
        days_until_due: Any = None,
        pending_invoice_items_behavior: Any = None,
        currency: Any = None,
        default_payment_method: Any = None,
        description: Any = None,
        metadata: Any = None,
        default_tax_rates: Any = None,
        **params: Any,
    ) -> Any:
        _unknown(params)
        if subscription is not None:  # localstripe's subscription invoicing, gaps and all
            return original_create(
                customer=customer,
                subscription=subscription,
                description=description,
                metadata=metadata,
                default_tax_rates=default_tax_rates,
                pending_invoice_items_behavior=pending_invoice_items_behavior,
            )
        auto_advance = resources.try_convert_to_bool(auto_advance)
        days_until_due = resources.try_convert_to_int(days_until_due)
        behavior = pending_invoice_items_behavior or default_behavior(state.api_version.get())
        checks = (
            ("customer", isinstance(customer, str) and customer.startswith("cus_")),
            ("auto_advance", auto_advance in (None, True, False)),
            ("collection_method", collection_method in (None, *_COLLECTION)),
            ("days_until_due", days_until_due is None or isinstance(days_until_due, int)),
            ("pending_invoice_items_behavior", behavior in _BEHAVIORS),
            ("currency", currency is None or isinstance(currency, str)),
            ("default_payment_method", default_payment_method is None or isinstance(default_payment_method, str)),
        )
        for param, ok in checks:
            if not ok:
                raise UserError(400, f"Invalid {param}", {"param": param})
        if collection_method == "send_invoice" and days_until_due is None:
            raise UserError(400, "Missing required param: days_until_due.", {"param": "days_until_due"})
        resources.Customer._api_retrieve(customer)
        if default_payment_method is not None:
            resources.PaymentMethod._api_retrieve(default_payment_method)
        pending = resources.InvoiceItem._api_list_all(None, customer=customer, limit=99)._list
        if behavior == "include_and_require" and not pending:
            raise UserError(400, "Nothing to invoice for customer", {"code": "invoice_no_customer_line_items"})
        # localstripe's constructor always takes every pending item; hide them for
        # "exclude" (its filter is "invoice is None"). Nothing awaits in between.
        hidden = pending if behavior == "exclude" else []
        for item in hidden:
            item.invoice = ""
        try:
            invoice = cls(
                customer=customer, description=description, metadata=metadata, default_tax_rates=default_tax_rates
            )
        finally:
            for item in hidden:
                item.invoice = None
        invoice.auto_advance = bool(auto_advance)
        invoice.collection_method = collection_method or "charge_automatically"
        invoice.days_until_due = days_until_due
        invoice.default_payment_method = default_payment_method
        if currency:
            invoice.currency = currency.lower()
        # An empty draft takes the currency of its first item rather than localstripe's "eur".
        invoice._currency_open = not currency and not invoice.lines._list
        return invoice

    def create_item(cls: Any, **params: Any) -> Any:
        invoice = None
        if isinstance(params.get("invoice"), str):
            invoice = invoice_class._api_retrieve(params["invoice"])
            if invoice.status != "draft":
                raise UserError(400, f"Invoice {invoice.id} is no longer a draft: items can only be added to drafts.")
            if invoice.customer != params.get("customer"):
                raise UserError(400, "The invoice belongs to another customer.", {"param": "invoice"})
        item = original_create_item(**params)
        if invoice is not None:
            invoice.lines._list.append(resources.InvoiceLineItem(item))
            if getattr(invoice, "_currency_open", False):
                invoice.currency, invoice._currency_open = item.currency, False
        emit(resources, "invoiceitem.created", item)
        return item

    def finalize(invoice: Any) -> None:
        invoice._finalize()
        emit(resources, "invoice.finalized", invoice)
        if invoice.status == "paid":  # nothing to collect
            invoice._on_payment_success()

    def finalize_invoice(cls: Any, id: str, auto_advance: Any = None, **params: Any) -> Any:
        _unknown(params)
        invoice = cls._api_retrieve(id)
        if invoice.status != "draft":
            raise UserError(400, "This invoice is already finalized, you can't re-finalize a non-draft invoice.")
        if auto_advance is not None:
            invoice.auto_advance = resources.try_convert_to_bool(auto_advance) is True
        finalize(invoice)
        return invoice

    def pay_invoice(cls: Any, id: str, payment_method: Any = None, off_session: Any = None, **params: Any) -> Any:
        # off_session is accepted and has no effect: no customer is ever present to authenticate.
        _unknown(params)
        invoice = cls._api_retrieve(id)
        if invoice.status == "paid":
            raise UserError(400, "Invoice is already paid")
        if invoice.status not in ("draft", "open"):
            raise UserError(400, f"You cannot pay an invoice with status {invoice.status}.")
        chosen = payment_method or getattr(invoice, "default_payment_method", None)
        pm = resources.PaymentMethod._api_retrieve(chosen) if chosen else None
        if invoice.status == "draft":
            finalize(invoice)  # Stripe finalizes a draft before paying it
            if invoice.status == "paid":
                return invoice
        if pm is None:
            pm = resources.Customer._api_retrieve(invoice.customer)._get_default_payment_method_or_source()
        if pm is None:
            raise UserError(400, "This customer has no attached payment source or default payment method.")
        intent = resources.PaymentIntent(
            amount=invoice.total, currency=invoice.currency, customer=invoice.customer, payment_method=pm.id
        )
        invoice.payment_intent, intent.invoice = intent.id, invoice.id
        intent._confirm(on_failure_now=lambda: None)
        if intent.status != "succeeded":
            invoice._on_payment_failure_now()
            charge = intent.latest_charge
            if charge is None:  # the card wants 3-D Secure
                requires_action = {"code": "invoice_payment_intent_requires_action"}
                raise UserError(402, "This payment requires authentication.", requires_action)
            raise UserError(402, charge.failure_message, {"code": charge.failure_code, "charge": charge.id})
        return invoice

    def on_payment_success(self: Any) -> None:
        original_paid(self)
        emit(resources, "invoice.paid", self)

    def void_invoice(cls: Any, id: str, **params: Any) -> Any:
        # Stock void cancels the invoice's PaymentIntent unconditionally; a one-off invoice
        # finalized here has none, so voiding it answered 400 where Stripe voids it.
        invoice = cls._api_retrieve(id)
        if invoice.payment_intent is None and invoice.status in ("draft", "open"):
            invoice._draft, invoice._voided = False, True
            invoice.status_transitions["voided_at"] = int(time.time())
            return invoice
        return original_void(id, **params)

    replace_classmethod(invoice_class, "_api_create", create)
    original_void = replace_classmethod(invoice_class, "_api_void_invoice", void_invoice)
    replace_classmethod(resources.InvoiceItem, "_api_create", create_item)
    replace_classmethod(invoice_class, "_api_pay_invoice", pay_invoice)
    invoice_class._api_finalize_invoice = classmethod(finalize_invoice)
    invoice_class._on_payment_success = on_payment_success
    add_route("POST", "/v1/invoices/{id}/finalize", invoice_class._api_finalize_invoice)
