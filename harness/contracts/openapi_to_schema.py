"""Turn Stripe's OpenAPI 3.0 component schemas into self-contained JSON Schema 2020-12 files.

Why a converter rather than the spec itself: OpenAPI 3.0 is not JSON Schema (``nullable``,
``x-stripeBypassValidation``), and the full spec is 300 KB of gzip that no fresh clone should
need. Each contract file holds one resource plus the non-resource sub-schemas it uses, under
``$defs``. Other *resources* it points at (an expanded ``customer`` inside an invoice, a
``subscription``...) become a bare ``{"type": "object"}`` stub, because the payload walker
validates every nested object that carries ``object`` against that object's own contract;
validating it twice would report each problem twice.

Two profiles:

* lenient (the default contract): unknown properties allowed (Stripe adds fields to every API
  version without notice) and enums flagged ``x-stripeBypassValidation`` opened;
* strict (drift reports): ``additionalProperties: false`` on every described object and every
  enum closed, so anything Stripe added since the contract was written shows up.

Descriptions, ``format`` (``unix-time``, ``decimal``) and ``maxLength: 5000`` are dropped: they
are documentation conventions, not promises a consumer can rely on.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
REF_PREFIX = "#/components/schemas/"

#: Contract file name -> OpenAPI component: the objects the scenarios touch.
ROOT_COMPONENTS: dict[str, str] = {
    "customer": "customer",
    "deleted_customer": "deleted_customer",
    "payment_method": "payment_method",
    "setup_intent": "setup_intent",
    "invoice": "invoice",
    "deleted_invoice": "deleted_invoice",
    "invoiceitem": "invoiceitem",
    "deleted_invoiceitem": "deleted_invoiceitem",
    "line_item": "line_item",
    "event": "event",
    "error": "error",
}

_KEPT_KEYWORDS = ("type", "enum", "required", "additionalProperties", "items", "properties", "anyOf", "allOf")


class SpecError(ValueError):
    """The OpenAPI document does not have the shape this converter understands."""


def stub(name: str) -> dict[str, Any]:
    """The placeholder for another API resource: it is checked by its own contract, not here."""
    return {"type": "object", "$comment": f"{name}: an API resource, validated by its own contract"}


class _Converter:
    def __init__(self, components: Mapping[str, Any], root: str, *, strict: bool, stub_unknown: bool) -> None:
        self.components, self.root, self.strict, self.stub_unknown = components, root, strict, stub_unknown
        self.defs: dict[str, Any] = {}

    def ref(self, target: str) -> dict[str, Any]:
        name = target.removeprefix(REF_PREFIX)
        component = self.components.get(name)
        if component is None and not self.stub_unknown:
            raise SpecError(f"unresolvable $ref {target!r}: the spec's components/schemas has no {name!r}")
        if name not in self.defs:
            if component is None or "x-resourceId" in component or name == self.root:
                self.defs[name] = stub(name)
            else:
                self.defs[name] = {}  # reserve first: sub-schemas can be recursive
                self.defs[name] = self.node(component)
        return {"$ref": f"#/$defs/{name}"}

    def node(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        if "$ref" in schema:
            return self.ref(schema["$ref"])
        out: dict[str, Any] = {}
        for key in _KEPT_KEYWORDS:
            if key not in schema:
                continue
            value = schema[key]
            if key == "properties":
                out[key] = {name: self.node(sub) for name, sub in value.items()}
            elif key in ("items",) or (key == "additionalProperties" and isinstance(value, Mapping)):
                out[key] = self.node(value)
            elif key in ("anyOf", "allOf"):
                out[key] = [self.node(sub) for sub in value]
            else:
                out[key] = copy.deepcopy(value)
        if "oneOf" in schema:  # overlapping stubs would make oneOf fail on a valid expansion
            out["anyOf"] = [self.node(sub) for sub in schema["oneOf"]]
        if "enum" in out and schema.get("x-stripeBypassValidation") and not self.strict:
            del out["enum"]
        if self.strict and "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        if schema.get("nullable"):
            out = _nullable(out)
        return out


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    if "type" in out and "anyOf" not in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    if "anyOf" in out and len(out) == 1:
        out["anyOf"] = [*out["anyOf"], {"type": "null"}]
        return out
    if not out:  # nullable without a type: anything goes already
        return out
    return {"anyOf": [out, {"type": "null"}]}


def convert_fragment(
    fragment: Mapping[str, Any],
    components: Mapping[str, Any] | None = None,
    *,
    strict: bool,
    root: str = "",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Convert one OpenAPI schema (e.g. a catalogue entry's new field); returns ``(schema, $defs)``.

    Without ``components`` every ``$ref`` is taken to name an API resource and becomes a stub,
    which is what catalogue fragments use for expandable fields.
    """
    converter = _Converter(components or {}, root, strict=strict, stub_unknown=components is None)
    schema = converter.node(fragment)
    return schema, converter.defs


def convert_component(
    components: Mapping[str, Any], name: str, *, strict: bool, title: str, provenance: str
) -> dict[str, Any]:
    """One contract file for component ``name``, with everything it needs under ``$defs``."""
    if name not in components:
        raise SpecError(f"the spec has no component {name!r}; is this a Stripe OpenAPI spec3 document?")
    schema, defs = convert_fragment(components[name], components, strict=strict, root=name)
    head: dict[str, Any] = {"$schema": JSON_SCHEMA_DIALECT, "title": title, "$comment": provenance}
    head.update(schema)
    if defs:
        head["$defs"] = dict(sorted(defs.items()))
    return head


def convert_spec(spec: Mapping[str, Any], source: str) -> dict[str, dict[str, Any]]:
    """Every contract file for one spec: ``{"customer.schema.json": {...}, "customer.strict.schema.json": ...}``."""
    try:
        components = spec["components"]["schemas"]
        version = spec["info"]["version"]
    except (KeyError, TypeError) as exc:
        raise SpecError(f"{source} is not an OpenAPI document with info.version and components.schemas") from exc
    files: dict[str, dict[str, Any]] = {}
    for file_stem, component in ROOT_COMPONENTS.items():
        for strict, suffix in ((False, ".schema.json"), (True, ".strict.schema.json")):
            profile = "strict" if strict else "lenient"
            files[file_stem + suffix] = convert_component(
                components,
                component,
                strict=strict,
                title=f"Stripe {component} ({version}, {profile})",
                provenance=f"Generated by `stripe-compat contracts build` from {source} (info.version {version}).",
            )
    return files
