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
"""Rendering localstripe's objects in the shape of the API version a request pinned.

localstripe answers every version with one pre-2020 shape, so a cassette recorded "for
basil" would still carry ``invoice.paid`` and ``customer.sources`` and test nothing about
basil. Two sources of truth, both the contracts' own (this GPL program may use the MIT
``harness.contracts``; the reverse is what must never happen):

1. the version-change catalogue (``contracts/catalogue``): every ``moved`` field's value is
   carried to its new path, release by release up to the pinned version;
2. the pinned version's shapes (``contracts/shapes``, Stripe's own example objects at that
   version): exactly the default fields, nested ones included. A field Stripe would not send
   is dropped (includable ones unless the request expanded them; an expandable id sent
   expanded is collapsed to its id); a default field localstripe never implemented is filled:
   from :data:`DERIVED` when other fields determine it, from :data:`PLAUSIBLE` where every
   new object has the same value at Stripe, else null where Stripe allows null, else Stripe's
   own example value (``tax_exempt: "none"``), else the type's empty value.

Objects without a shape (prices, plans...) pass through unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from harness.contracts.catalogue import Change, load_catalogue, version_key
from harness.contracts.registry import resolve_contracts_dir
from harness.contracts.shapes import expanded_names, object_type, shapes_for
from harness.errors import ConfigError


def _prefix(obj: dict[str, Any]) -> str:
    """Stripe's per-customer invoice number prefix: 8 stable uppercase hex digits."""
    return hashlib.sha256(str(obj.get("id")).encode()).hexdigest()[:8].upper()


def _id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _succeeded_amount(obj: dict[str, Any]) -> int:
    return int(obj.get("amount") or 0) if obj.get("status") == "succeeded" else 0


#: Fields that other fields of the same object determine.
DERIVED: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
    ("invoice", "paid"): lambda o: o.get("status") == "paid",
    ("invoice", "amount_remaining"): lambda o: max(0, (o.get("amount_due") or 0) - (o.get("amount_paid") or 0)),
    ("invoice", "attempted"): lambda o: o.get("status") not in ("draft", "open"),
    ("invoice", "period_start"): lambda o: o.get("created"),
    ("invoice", "period_end"): lambda o: o.get("created"),
    ("invoice", "subtotal_excluding_tax"): lambda o: o.get("subtotal"),
    ("invoice", "total_excluding_tax"): lambda o: o.get("total"),
    ("invoice", "effective_at"): lambda o: None if o.get("status") == "draft" else o.get("created"),
    ("invoice", "currency"): lambda o: o.get("currency") or "usd",
    ("invoice", "amount_overpaid"): lambda o: 0,
    ("customer", "invoice_prefix"): _prefix,
    ("payment_intent", "amount_received"): _succeeded_amount,
    ("charge", "amount_captured"): lambda o: int(o.get("amount") or 0) if o.get("captured") else 0,
    ("charge", "paid"): lambda o: o.get("status") == "succeeded",
    ("charge", "payment_method"): lambda o: o.get("payment_method") or o.get("source", {}).get("id"),
    ("invoiceitem", "discountable"): lambda o: True,
    ("line_item", "discountable"): lambda o: True,
    ("line_item", "amount_excluding_tax"): lambda o: o.get("amount"),
    ("line_item", "unit_amount_excluding_tax"): lambda o: str(o.get("amount")),
    # clover: the discount names its coupon by id under source, instead of embedding it
    ("discount", "source"): lambda o: {"coupon": _id(o.get("coupon")), "type": "coupon"},
}

#: Default values every new object of a kind has at Stripe, where an integration may read them.
PLAUSIBLE: dict[tuple[str, str], Any] = {
    ("customer", "balance"): 0,
    ("customer", "next_invoice_sequence"): 1,
    ("customer", "tax_exempt"): "none",
    ("customer", "preferred_locales"): [],
    ("customer", "delinquent"): False,
    ("payment_intent", "payment_method_types"): ["card"],
    ("payment_intent", "capture_method"): "automatic",
    ("payment_intent", "confirmation_method"): "automatic",
    ("payment_intent", "payment_method_options"): {},
    ("setup_intent", "payment_method_types"): ["card"],
    ("setup_intent", "usage"): "off_session",
    ("setup_intent", "payment_method_options"): {},
    ("payment_method", "allow_redisplay"): "unspecified",
    ("invoice", "account_country"): "US",
    ("invoice", "billing_reason"): "manual",
    ("invoice", "collection_method"): "charge_automatically",
    ("invoice", "customer_tax_exempt"): "none",
    ("invoice", "starting_balance"): 0,
    ("invoice", "ending_balance"): None,
    ("invoice", "issuer"): {"type": "self"},
    ("charge", "currency"): "usd",
    ("charge", "calculated_statement_descriptor"): "Stripe",
}

#: Values that a move renames, not just relocates: localstripe's line ``type`` becomes
#: basil's ``parent.type``, whose values name the detail object instead.
RENAMED_VALUES: dict[tuple[str, str], dict[str, str]] = {
    ("line_item", "parent.type"): {"invoiceitem": "invoice_item_details", "subscription": "subscription_item_details"},
}

_MISSING = object()  # "no such key": distinct from a JSON null
_EMPTY: dict[str, Any] = {"array": [], "string": "", "integer": 0, "number": 0, "boolean": False}


@cache
def _catalogue() -> tuple[Any, ...]:
    return tuple(load_catalogue(resolve_contracts_dir(None)))


@cache
def renderer_for(api_version: str) -> VersionRenderer | None:
    """The renderer for ``api_version``, or None when no shape describes that version."""
    try:
        renderer = VersionRenderer(api_version)
    except ConfigError:
        return None
    return renderer if renderer.shapes else None


class VersionRenderer:
    """Renders every object in a response body at one API version."""

    def __init__(self, api_version: str) -> None:
        self.api_version = api_version
        self.shapes = shapes_for(api_version)
        cutoff = version_key(api_version)
        self.moves = [
            change
            for release in _catalogue()
            if version_key(release.version) <= cutoff
            for change in release.changes
            if change.change == "moved" and not change.backfill
        ]

    def render(self, node: Any, expand: Iterable[str] = ()) -> Any:
        """``node`` with every object, at any depth, in this version's shape.

        An event's ``data.object`` takes the shape of the event's own ``api_version``, as
        Stripe renders it for the endpoint that receives it.
        """
        return self._render(node, expanded_names(expand))

    def _render(self, node: Any, names: frozenset[str]) -> Any:
        if isinstance(node, list):
            return [self._render(item, names) for item in node]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("object"), str):
            node = self._shape(node, object_type(node), names)
        if node.get("object") == "event" and isinstance(node.get("data"), dict):
            at = renderer_for(str(node.get("api_version") or self.api_version)) or self
            data = {**node["data"], "object": at._render(node["data"].get("object"), frozenset())}
            return {**{k: self._render(v, names) for k, v in node.items() if k != "data"}, "data": data}
        return {key: self._render(value, names) for key, value in node.items()}

    def error(self, error: dict[str, Any], request_id: str | None, status: int) -> dict[str, Any]:
        """A Stripe error body's fields: its dashboard log link (not on a 401), the docs link of its code."""
        out = dict(error)
        if request_id and status != 401:
            out.setdefault("request_log_url", f"https://dashboard.stripe.com/test/logs/{request_id}")
        if out.get("code"):
            out.setdefault("doc_url", f"https://stripe.com/docs/error-codes/{str(out['code']).replace('_', '-')}")
        shape = self.shapes.get("error")
        if shape is not None:
            allowed = set(shape["default"]) | set(shape["optional"])
            out = {k: v for k, v in out.items() if k in allowed}
        return out

    def _shape(self, obj: dict[str, Any], kind: str, names: frozenset[str]) -> dict[str, Any]:
        shape = self.shapes.get(kind)
        if shape is None:
            return obj
        shaped = dict(obj)
        for change in self.moves:
            if change.object == kind:
                _move(shaped, change)
        allowed = set(shape["optional"]) | (set(shape["includable"]) & names)
        return _Fitter(kind, names).fit(shaped, shape["default"], allowed, top=True)


def _move(obj: dict[str, Any], change: Change) -> None:
    """Carry a moved field's value to its new path (the shape then drops the old one)."""
    value = _pop(obj, change.path)
    if change.to and value not in (_MISSING, None):
        renamed = RENAMED_VALUES.get((change.object, change.to), {})
        _put(obj, change.to, renamed.get(value, value) if isinstance(value, str) else value)


def _pop(obj: dict[str, Any], path: str) -> Any:
    *parents, leaf = path.split(".")
    for part in parents:
        obj = obj.get(part)
        if not isinstance(obj, dict):
            return _MISSING
    return obj.pop(leaf, _MISSING)


def _put(obj: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        if not isinstance(obj.get(part), dict):
            obj[part] = {}
        obj = obj[part]
    obj[leaf] = value


class _Fitter:
    """Fits one object to its default field tree."""

    def __init__(self, kind: str, names: frozenset[str]) -> None:
        self.kind, self.names = kind, names

    def fit(
        self, obj: dict[str, Any], default: dict[str, Any], allowed: set[str] | None, *, top: bool
    ) -> dict[str, Any]:
        """``allowed``: the non-default fields that may stay (None: any, for an open nested object)."""
        out: dict[str, Any] = {}
        for name, value in obj.items():
            node = default.get(name)
            if node is None:
                if allowed is None or name in allowed:
                    out[name] = value
                continue
            if value is None and node.get("t") is not None and "null" not in node["t"]:
                continue  # a null where Stripe always sends a value: filled below
            out[name] = self.value(name, value, node)
        for name, node in default.items():
            if name not in out:  # derived from every field localstripe sent, kept or not
                out[name] = self.fill(name, node, {**obj, **out}, top=top)
        return out

    def value(self, name: str, value: Any, node: dict[str, Any]) -> Any:
        if not isinstance(value, dict):
            return value
        if isinstance(value.get("object"), str):
            # An expandable id sent expanded although nobody asked: Stripe sends the id.
            types = node.get("t") or ()
            if "string" in types and name not in self.names and isinstance(value.get("id"), str):
                return value["id"]
            return value
        if "f" in node:
            return self.fit(value, node["f"], set(node["o"]) if "o" in node else None, top=False)
        return value

    def fill(self, name: str, node: dict[str, Any], obj: dict[str, Any], *, top: bool) -> Any:
        """The value Stripe sends for a default field localstripe lacks."""
        if top and (self.kind, name) in DERIVED:
            return DERIVED[(self.kind, name)](obj)
        if top and (self.kind, name) in PLAUSIBLE:
            value = PLAUSIBLE[(self.kind, name)]
            return value.copy() if isinstance(value, dict | list) else value
        types = node.get("t")
        if types is None or "null" in types:
            return None
        if "v" in node:
            return node["v"]
        if "object" in types:
            return {key: self.fill(key, sub, {}, top=False) for key, sub in node.get("f", {}).items()}
        return next((_EMPTY[t] for t in ("array", "string", "integer", "number", "boolean") if t in types), None)
