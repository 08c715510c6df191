"""Apply catalogue releases to the newest spec-generated schema set to get later versions' schemas.

Only the objects a release touches get a new file: a version's contract for an object is the
newest file at or before that version (see :mod:`harness.contracts.registry`), so a monthly
release that changes nothing costs nothing. Removed and moved fields are not just dropped but
*forbidden* (``{"not": {}}``): a basil invoice that still carries ``paid`` was rendered at an
older version, and that is exactly the mistake a pinned-version test must catch.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from ..errors import ConfigError
from .catalogue import Change, Release, version_key
from .openapi_to_schema import ROOT_COMPONENTS, convert_fragment

PROFILES = {".schema.json": False, ".strict.schema.json": True}


def removed_marker(version: str, change: Change) -> dict[str, Any]:
    """The schema of a field that must be absent from this version on."""
    where = f"; now at {change.to}" if change.to else ""
    note = f"; {change.note}" if change.note else ""
    return {"not": {}, "$comment": f"removed in {version}{where}{note}"}


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` and nullable ``anyOf`` wrappers down to the schema that has ``properties``."""
    while True:
        if "$ref" in node:
            node = root["$defs"][node["$ref"].removeprefix("#/$defs/")]
        elif "properties" not in node and "anyOf" in node:
            objects = [branch for branch in node["anyOf"] if "properties" in branch or "$ref" in branch]
            if len(objects) != 1:
                return node
            node = objects[0]
        else:
            return node


def _parent(root: dict[str, Any], path: str, where: str) -> tuple[dict[str, Any], str]:
    *heads, leaf = path.split(".")
    node = root
    for head in heads:
        node = _resolve(root, node)
        if head not in node.get("properties", {}):
            raise ConfigError(f"{where}: {path!r} does not exist in the schema it is applied to ({head!r} missing)")
        node = node["properties"][head]
    node = _resolve(root, node)
    if "properties" not in node:
        raise ConfigError(f"{where}: the parent of {path!r} is not an object with properties")
    return node, leaf


def _set_required(node: dict[str, Any], leaf: str, required: bool) -> None:
    names = [name for name in node.get("required", []) if name != leaf] + ([leaf] if required else [])
    if names:
        node["required"] = names
    else:
        node.pop("required", None)


def _place(
    root: dict[str, Any], path: str, fragment: dict[str, Any], *, strict: bool, required: bool, where: str
) -> None:
    node, leaf = _parent(root, path, where)
    schema, defs = convert_fragment(fragment, strict=strict)
    root.setdefault("$defs", {}).update(defs)
    node["properties"][leaf] = schema
    if strict and "additionalProperties" not in node:
        node["additionalProperties"] = False
    _set_required(node, leaf, required or leaf in node.get("required", []))


def apply_change(root: dict[str, Any], version: str, change: Change, *, strict: bool) -> None:
    """Edit one converted schema in place according to one catalogue change."""
    where = f"catalogue {version} {change.object}.{change.path}"
    if change.change in ("added", "retyped"):
        if change.schema is None:
            raise ConfigError(f"{where}: an {change.change!r} change needs 'schema' (an OpenAPI 3.0 fragment)")
        _place(root, change.path, change.schema, strict=strict, required=change.required, where=where)
    elif change.change == "required":
        node, leaf = _parent(root, change.path, where)
        _set_required(node, leaf, True)
    elif change.change in ("removed", "moved"):
        node, leaf = _parent(root, change.path, where)
        node["properties"][leaf] = removed_marker(version, change)
        _set_required(node, leaf, False)
        if change.to and change.schema is not None:
            _place(root, change.to, change.schema, strict=strict, required=False, where=where)
        elif change.to:
            _parent(root, change.to, where)  # the destination must exist once the release's additions are in


_ORDER = {"added": 0, "retyped": 1, "required": 2, "moved": 3, "removed": 4}


def derive(
    base: dict[str, dict[str, Any]], base_version: str, releases: Iterable[Release]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Schema files for every release newer than ``base_version``: ``{version: {file name: schema}}``.

    ``base`` maps file names (``invoice.schema.json``...) to the spec-generated schemas. Each
    returned version holds only the files its release changed.
    """
    current = copy.deepcopy(base)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for release in releases:
        if version_key(release.version) <= version_key(base_version):
            continue
        changes = sorted((c for c in release.changes if not c.backfill), key=lambda c: _ORDER[c.change])
        touched = sorted({c.object for c in changes})
        for obj in touched:
            if obj not in ROOT_COMPONENTS:
                raise ConfigError(
                    f"catalogue {release.version}: unknown object {obj!r}; known: {', '.join(ROOT_COMPONENTS)}"
                )
            for suffix, strict in PROFILES.items():
                schema = current[obj + suffix]
                for change in changes:
                    if change.object == obj:
                        apply_change(schema, release.version, change, strict=strict)
                profile = "strict" if strict else "lenient"
                schema["title"] = f"Stripe {obj} ({release.version}, {profile})"
                schema["$comment"] = (
                    f"Derived by `stripe-compat contracts build` from provider/{base_version} and "
                    f"contracts/catalogue up to {release.version}."
                )
                if "$defs" in schema:
                    schema["$defs"] = dict(sorted(schema["$defs"].items()))
                out.setdefault(release.version, {})[obj + suffix] = copy.deepcopy(schema)
    return out
