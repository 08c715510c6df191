"""Which fields Stripe sends by default, per object and API version, and the fidelity check built on it.

The data is ``contracts/shapes/<version>.json`` (written by ``stripe-compat contracts shapes``, see
:mod:`harness.contracts.shapes_build`); a version's shape of an object is the one in the newest
file at or before that version. An object shape is::

    {"default": {field: node}, "includable": [field], "optional": [field]}

``default`` fields are sent on every response; a node holds the field's JSON types (``t``, None
when unknown), Stripe's example value where it is a real one (``v``: ``"none"``, ``1``), the
default fields of a nested object (``f``) or, for another resource, its name
(``r``), and the fields the spec describes beyond the example (``o``; without it the nested object
is open). ``includable`` fields are sent only when the request expands them (customer.sources);
``optional`` ones only in some states (payment_method.sepa_debit for a SEPA method). The
localstripe rendering layer and the provider contracts read the same files, so the fake and
the contracts cannot disagree on what Stripe sends.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .catalogue import version_key
from .registry import resolve_contracts_dir
from .validate import join_path

SHAPES_DIR = "shapes"


@dataclass(frozen=True)
class Finding:
    """A field Stripe would not send (``unexpected``), a default one it would (``missing``), or an
    expandable field sent expanded although the request did not ask (``expanded``)."""

    path: str
    object_type: str
    kind: str
    api_version: str

    def __str__(self) -> str:
        what = {
            "unexpected": "present, but Stripe does not send it",
            "missing": "missing, but Stripe always sends it",
            "expanded": "expanded, but the request did not expand it",
        }[self.kind]
        return f"{self.path} ({self.object_type} at {self.api_version}): {what}"


def _versions(shapes_dir: Path) -> list[str]:
    return sorted((p.stem for p in shapes_dir.glob("*.json")), key=version_key)


@cache
def _load(api_version: str, contracts_dir: Path) -> dict[str, dict[str, Any]]:
    shapes_dir = contracts_dir / SHAPES_DIR
    merged: dict[str, dict[str, Any]] = {}
    for version in _versions(shapes_dir):  # oldest first: newer files override what they changed
        if version_key(version) <= version_key(api_version):
            merged.update(json.loads((shapes_dir / f"{version}.json").read_text()))
    return merged


def shapes_for(api_version: str, contracts_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every object's shape at ``api_version`` (empty before the oldest snapshot)."""
    return _load(api_version, resolve_contracts_dir(contracts_dir))


def object_type(node: dict[str, Any]) -> str:
    """``customer``, or ``deleted_customer`` for ``{"object": "customer", "deleted": true}``."""
    kind = str(node["object"])
    return f"deleted_{kind}" if node.get("deleted") is True else kind


def expanded_names(expand: Iterable[str]) -> frozenset[str]:
    """The field names a request expanded, at any depth (``data.sources`` expands ``sources``)."""
    return frozenset(part for entry in expand for part in entry.split("."))


class FidelityCheck:
    """Compares payloads with the default field set of one API version."""

    def __init__(self, api_version: str, contracts_dir: Path | None = None) -> None:
        self.api_version = api_version
        self.contracts_dir = resolve_contracts_dir(contracts_dir)
        self.shapes = shapes_for(api_version, self.contracts_dir)

    def findings(self, payload: Any, expand: Iterable[str] = ()) -> list[Finding]:
        """Every fidelity finding in a response body or event; ``expand``: the request's expand list."""
        out: list[Finding] = []
        names = expanded_names(expand)
        if isinstance(payload, dict) and "object" not in payload and isinstance(payload.get("error"), dict):
            self._object(payload["error"], "error", ("error",), names, out)
        else:
            self._walk(payload, (), names, out)
        return out

    def _walk(self, node: Any, parts: tuple[Any, ...], names: frozenset[str], out: list[Finding]) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                self._walk(item, (*parts, index), names, out)
            return
        if not isinstance(node, dict):
            return
        if isinstance(node.get("object"), str):
            kind = object_type(node)
            if kind == "event" and isinstance(node.get("data"), dict):
                self._object(node, kind, parts, names, out)
                rendered_at = str(node.get("api_version") or self.api_version)
                at = self if rendered_at == self.api_version else FidelityCheck(rendered_at, self.contracts_dir)
                at._walk(node["data"].get("object"), (*parts, "data", "object"), frozenset(), out)
                return
            self._object(node, kind, parts, names, out)
        for key, value in node.items():
            self._walk(value, (*parts, key), names, out)

    def _object(
        self, obj: dict[str, Any], kind: str, parts: tuple[Any, ...], names: frozenset[str], out: list[Finding]
    ) -> None:
        shape = self.shapes.get(kind)
        if shape is None:
            return
        # A field the request expanded is sent, whether or not the shapes know it as includable.
        allowed = set(shape["optional"]) | names
        self._fields(obj, shape["default"], allowed, kind, parts, names, out)

    def _fields(
        self,
        obj: dict[str, Any],
        default: dict[str, Any],
        allowed: set[str] | None,
        kind: str,
        parts: tuple[Any, ...],
        names: frozenset[str],
        out: list[Finding],
    ) -> None:
        def finding(name: str, what: str) -> None:
            out.append(Finding(join_path("$", (*parts, name)), kind, what, self.api_version))

        for name, value in obj.items():
            node = default.get(name)
            if node is None:
                if allowed is not None and name not in allowed:
                    finding(name, "unexpected")
            elif isinstance(value, dict) and "f" in node and "object" not in value:
                # Without the spec's word on a nested object (``o``), its example is not a closed list.
                nested = set(node["o"]) if "o" in node else None
                self._fields(value, node["f"], nested, kind, (*parts, name), names, out)
            elif (
                isinstance(value, dict)
                and isinstance(value.get("object"), str)
                and "string" in (node.get("t") or ())
                and name not in names
            ):
                finding(name, "expanded")
        for name in default:
            if name not in obj:
                finding(name, "missing")
