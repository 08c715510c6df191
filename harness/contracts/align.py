"""Provider schemas that know every field the shapes say Stripe sends by default.

The schemas come from four OpenAPI specs plus the catalogue; Stripe's example objects
(``contracts/shapes``) show fields neither mentions (a 2024-06-20 invoiceitem still carries
``plan``; customer ``discount.*`` in clover). Each such field is added, typed as the shapes type
it, to both profiles, so the strict profile accepts Stripe's own objects and a fake rendered
from the shapes cannot fail the contracts: both read the same facts.
"""

from __future__ import annotations

from typing import Any

from .derive import _resolve

SHAPES_COMMENT = "in Stripe's example object at this version (contracts/shapes)"


def _schema_for(node: dict[str, Any]) -> dict[str, Any]:
    types = node.get("t")
    schema: dict[str, Any] = {"$comment": SHAPES_COMMENT}
    if types:
        schema["type"] = types[0] if len(types) == 1 else list(types)
    return schema


def _forbidden(schema: Any) -> bool:
    return isinstance(schema, dict) and "not" in schema


def resource_fields(shape: dict[str, Any] | None) -> dict[str, Any]:
    """What a resource may carry: its default fields and, untyped, its optional ones."""
    if shape is None:
        return {}
    return {**{name: {"t": None} for name in shape["optional"]}, **shape["default"]}


def align_object(
    root: dict[str, Any],
    default: dict[str, Any],
    shapes: dict[str, dict[str, Any]],
    node: dict[str, Any] | None = None,
) -> bool:
    """Add to ``root`` (or its sub-schema ``node``) each shape field it does not describe; True if any.

    A nested resource the schema describes inline (a customer's ``discount``) is aligned with
    that resource's own shape; one the schema leaves to its own contract (a stub) is left alone.
    """
    target = _resolve(root, node if node is not None else root)
    props = target.get("properties")
    if props is None:
        return False
    changed = False
    for name, field in default.items():
        known = props.get(name)
        if known is None:
            props[name] = _schema_for(field)
            changed = True
        elif not _forbidden(known):
            nested = field.get("f") or resource_fields(shapes.get(field.get("r", "")))
            for branch in [known, *known.get("anyOf", [])] if nested else []:
                if isinstance(branch, dict):
                    changed |= align_object(root, nested, shapes, branch)
    return changed
