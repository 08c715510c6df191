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
basil" would still carry ``invoice.paid`` and ``invoiceitem.plan`` and test nothing about
basil. Two sources of truth, both the contracts' own (this GPL program may use the MIT
``harness.contracts``; the reverse is what must never happen):

1. the version-change catalogue (``contracts/catalogue``): every ``moved`` field's value is
   carried to its new path and every ``removed`` field dropped, release by release up to
   the pinned version; that is what makes versions differ.
2. the pinned version's strict provider schema: fields localstripe never implemented are
   filled (from :data:`DERIVED` when another field determines them, else with the
   schema's empty value: null, 0, "", [], false, the first enum value) and fields Stripe
   never sent at that version are dropped. That is localstripe's gaps, not versioning.

Objects without a contract (lists, errors, charges...) pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from harness.contracts import load_contracts
from harness.contracts.catalogue import Change, load_catalogue, version_key
from harness.contracts.registry import resolve_contracts_dir
from harness.errors import ConfigError

#: Fields that other fields of the same object determine: better than an empty value.
DERIVED: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
    ("invoice", "paid"): lambda o: o.get("status") == "paid",
    ("invoice", "amount_remaining"): lambda o: max(0, (o.get("amount_due") or 0) - (o.get("amount_paid") or 0)),
    ("invoice", "attempted"): lambda o: o.get("status") not in ("draft", "open"),
    ("invoice", "period_start"): lambda o: o.get("created"),
    ("invoice", "period_end"): lambda o: o.get("created"),
    ("invoiceitem", "discountable"): lambda o: True,
    ("line_item", "discountable"): lambda o: True,
}

#: Values that a move renames, not just relocates: localstripe's line ``type`` becomes
#: basil's ``parent.type``, whose values name the detail object instead.
RENAMED_VALUES: dict[tuple[str, str], dict[str, str]] = {
    ("line_item", "parent.type"): {"invoiceitem": "invoice_item_details", "subscription": "subscription_item_details"},
}

_MISSING = object()  # "no such key": distinct from a JSON null
_EMPTY = {"object": {}, "array": [], "string": "", "integer": 0, "number": 0, "boolean": False}


def _object_type(node: dict[str, Any]) -> str:
    kind = str(node["object"])
    return f"deleted_{kind}" if node.get("deleted") is True else kind


@cache
def _catalogue() -> tuple[Any, ...]:
    return tuple(load_catalogue(resolve_contracts_dir(None)))


@cache
def renderer_for(api_version: str) -> VersionRenderer | None:
    """The renderer for ``api_version``, or None when no contract describes that version."""
    try:
        return VersionRenderer(api_version)
    except ConfigError:
        return None


class VersionRenderer:
    """Renders every contracted object in a response body at one API version."""

    def __init__(self, api_version: str) -> None:
        self.api_version = api_version
        self.contracts = load_contracts(api_version)
        cutoff = version_key(api_version)
        self.changes = [
            change
            for release in _catalogue()
            if version_key(release.version) <= cutoff
            for change in release.changes
            # backfill entries are fields Stripe added to every version: the schema fill covers them
            if not change.backfill
        ]

    def render(self, node: Any) -> Any:
        """``node`` with every object, at any depth, in this version's shape.

        An event's ``data.object`` takes the shape of the event's own ``api_version``, as
        Stripe renders it for the endpoint that receives it.
        """
        if isinstance(node, list):
            return [self.render(item) for item in node]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("object"), str):
            node = self._shape(node, _object_type(node))
        if node.get("object") == "event" and isinstance(node.get("data"), dict):
            at = renderer_for(str(node.get("api_version") or self.api_version)) or self
            data = {**node["data"], "object": at.render(node["data"].get("object"))}
            return {**{k: self.render(v) for k, v in node.items() if k != "data"}, "data": data}
        return {key: self.render(value) for key, value in node.items()}

    def _shape(self, obj: dict[str, Any], object_type: str) -> dict[str, Any]:
        schema = self.contracts.provider_schema(object_type, strict=True)
        if schema is None:
            return obj
        shaped = dict(obj)
        for change in self.changes:
            if change.object == object_type:
                _apply(shaped, change)
        return _Conformer(schema.schema, object_type).object(shaped, schema.schema)


def _apply(obj: dict[str, Any], change: Change) -> None:
    """One catalogue entry: carry a moved value, drop a removed one (the rest is the schema's job)."""
    if change.change not in ("moved", "removed"):
        return
    value = _pop(obj, change.path)
    if change.change == "moved" and change.to and value not in (_MISSING, None):
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


class _Conformer:
    """Fits a value to a strict schema: drops undeclared and forbidden fields, fills required ones.

    Only nulls and absences are repaired. A wrong type or an enum value outside the schema
    is left for the contract check to report: it is a real gap in localstripe, not a shape.
    """

    def __init__(self, root: dict[str, Any], object_type: str) -> None:
        self.root, self.object_type = root, object_type

    def resolve(self, schema: Any) -> dict[str, Any]:
        while isinstance(schema, dict) and "$ref" in schema:
            target: Any = self.root
            for part in filter(None, str(schema["$ref"]).lstrip("#").split("/")):
                target = target[part]
            schema = target
        return schema if isinstance(schema, dict) else {}

    def types(self, schema: Any) -> set[str]:
        resolved = self.resolve(schema)
        declared = resolved.get("type", [])
        found = {declared} if isinstance(declared, str) else set(declared)
        for branch in resolved.get("anyOf", []):
            found |= self.types(branch)
        if None in resolved.get("enum", ()):
            found.add("null")
        return found

    def empty(self, schema: Any) -> Any:
        """The value Stripe sends for a field with nothing in it."""
        resolved = self.resolve(schema)
        types = self.types(resolved)
        if "null" in types or not types:
            return None
        if "const" in resolved:
            return resolved["const"]
        if resolved.get("enum"):
            return resolved["enum"][0]
        if "object" in types:
            props = resolved.get("properties", {})
            return {name: self.empty(props.get(name, {})) for name in resolved.get("required", ())}
        return next(_EMPTY[t] for t in ("object", "array", "string", "integer", "number", "boolean") if t in types)

    def value(self, value: Any, schema: Any) -> Any:
        resolved = self.resolve(schema)
        if isinstance(value, dict):
            branches = [self.resolve(b) for b in resolved.get("anyOf", [])]
            described = next((b for b in [resolved, *branches] if "properties" in b), None)
            return self.object(value, described, top=False) if described is not None else value
        if isinstance(value, list) and "items" in resolved:
            return [self.value(item, resolved["items"]) for item in value]
        return value

    def object(self, obj: dict[str, Any], schema: dict[str, Any], *, top: bool = True) -> dict[str, Any]:
        props = schema.get("properties", {})
        closed = schema.get("additionalProperties") is False
        out: dict[str, Any] = {}
        for name, value in obj.items():
            declared = props.get(name)
            if (declared is None and closed) or (isinstance(declared, dict) and "not" in declared):
                continue
            if value is None and declared is not None and "null" not in self.types(declared):
                value = _MISSING  # a null where Stripe always sends a value: fill it below
            if value is not _MISSING:
                out[name] = self.value(value, declared) if declared is not None else value
        for name in schema.get("required", ()):
            if name not in out and name in props and "not" not in props[name]:
                derive = DERIVED.get((self.object_type, name)) if top else None
                out[name] = derive(out) if derive is not None else self.empty(props[name])
        return out
