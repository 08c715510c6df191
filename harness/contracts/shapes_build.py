"""``contracts shapes``: build ``contracts/shapes/`` from Stripe's fixtures, its OpenAPI specs and the catalogue.

Three sources, each answering what it knows best:

* ``fixtures3.json`` (the example object of every resource Stripe generates, one snapshot per
  API version): **which fields an object carries by default** and how they nest. Includable
  fields (``customer.sources``) are absent from it, as they are from a real response.
* the OpenAPI specs (2020-08-27 … 2023-08-16; a later version uses the newest): **types**,
  nullability, and ``x-expandableFields`` (which fields are only sent when expanded).
* the version-change catalogue: versions no snapshot covers (endive) get the catalogue's
  changes applied to the newest snapshot, and every ``removed``/``moved`` field is dropped from
  later snapshots, because there the recordings beat the fixtures (the generator kept
  ``invoice.subscription: null`` after basil; real basil invoices do not have it).

Errors and list envelopes have no fixture; their default fields are those real recordings show
(``tests/data/realdata``). The output is one file per version that changed something, holding
only the objects that changed: a version's shape of an object is the newest file at or before it.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .catalogue import Change, Release, load_catalogue, version_key
from .validate import json_type

SHAPES_DIR = "shapes"

#: Fixture resource -> shape name: what the scenarios' responses and events carry.
OBJECTS = (
    "customer",
    "deleted_customer",
    "payment_method",
    "setup_intent",
    "payment_intent",
    "charge",
    "invoice",
    "deleted_invoice",
    "invoiceitem",
    "deleted_invoiceitem",
    "line_item",
    "event",
    "discount",
    "coupon",
)

#: Objects without a fixture. Default fields as real Stripe sends them (tests/data/realdata):
#: every error has a message and a type; a dashboard log link but on a 401; ``doc_url`` with a code.
HAND_WRITTEN: dict[str, dict[str, Any]] = {
    "list": {
        "default": {
            "object": {"t": ["string"]},
            "data": {"t": ["array"]},
            "has_more": {"t": ["boolean"]},
            "url": {"t": ["string"]},
        },
        "includable": [],
        "optional": ["total_count"],  # invoice.lines carry it (tests/data/realdata/pay)
    },
    "error": {
        "default": {"message": {"t": ["string"]}, "type": {"t": ["string"]}},
        "includable": [],
        "optional": [
            "request_log_url",  # on every error but a 401 (test_sync_records_stripe_invoice.yml)
            "advice_code",
            "charge",
            "code",
            "decline_code",
            "doc_url",
            "network_advice_code",
            "network_decline_code",
            "param",
            "payment_intent",
            "payment_method",
            "payment_method_type",
            "setup_intent",
            "source",
        ],
    },
}

class _Spec:
    """Types and expandability of one OpenAPI spec's components."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.components: Mapping[str, Any] = spec["components"]["schemas"]

    def resolve(self, schema: Mapping[str, Any] | None) -> Mapping[str, Any]:
        while schema and "$ref" in schema:
            schema = self.components.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return schema or {}

    def resource(self, schema: Mapping[str, Any]) -> str | None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if "x-resourceId" in self.components.get(name, {}):
                return name
        return None

    def types(self, schema: Mapping[str, Any] | None) -> list[str] | None:
        """JSON types a property may take (None: the spec does not say)."""
        if not schema:
            return None
        found: set[str] = set()
        if "$ref" in schema:
            return self.types(self.resolve(schema)) if self.resource(schema) is None else ["object"]
        for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
            found |= set(self.types(branch) or [])
        if "type" in schema:
            found.add(schema["type"])
        if schema.get("nullable"):
            found.add("null")
        return sorted(found) or None

    def is_map(self, schema: Mapping[str, Any] | None) -> bool:
        """A free-form map (``metadata``): additionalProperties and no properties of its own."""
        resolved = self.resolve(schema)
        return "additionalProperties" in resolved and "properties" not in resolved

    def properties(self, schema: Mapping[str, Any] | None) -> Mapping[str, Any]:
        resolved = self.resolve(schema)
        if "properties" in resolved:
            return resolved["properties"]
        branches = [self.resolve(b) for b in resolved.get("anyOf", []) if self.resource(b) is None]
        return next((b["properties"] for b in branches if "properties" in b), {})


#: Example values that are placeholders, not values: ids, the generator's timestamp, URLs.
_PLACEHOLDER = re.compile(r"^([a-z]+_[A-Za-z0-9_]{6,}|https?://.*|obj_123)$")
_PLACEHOLDER_TIME = 1234567890


def _example(value: Any) -> Any:
    """The fixture's value when it is one a new object could really have (``"none"``, ``1``, ``"1"``)."""
    if isinstance(value, str) and not _PLACEHOLDER.match(value) and len(value) <= 40:
        return value
    if isinstance(value, bool | int | float) and value != _PLACEHOLDER_TIME:
        return value
    return None


class _Fragments(_Spec):
    """Catalogue fragments: every ``$ref`` names another API resource (contracts/README.md)."""

    def __init__(self) -> None:
        super().__init__({"components": {"schemas": {}}})

    def resource(self, schema: Mapping[str, Any]) -> str | None:
        return schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else None


_FRAGMENTS = _Fragments()


def _node(value: Any, schema: Mapping[str, Any] | None, spec: _Spec | None) -> dict[str, Any]:
    """A field's shape: types, an example value, and the default fields of a nested (non-resource) object."""
    types = spec.types(schema) if spec is not None else None
    node: dict[str, Any] = {"t": types if types is not None else ([json_type(value)] if value is not None else None)}
    if _example(value) is not None:
        node["v"] = _example(value)
    if isinstance(value, dict) and value:
        if isinstance(value.get("object"), str):
            node["r"] = value["object"]  # another resource (or a list): its own shape applies
        elif spec is None or not spec.is_map(schema):  # metadata's keys are the integration's own
            props = spec.properties(schema) if spec is not None else {}
            node["f"] = {key: _node(sub, props.get(key), spec) for key, sub in sorted(value.items())}
            if props:
                # Fields the spec describes but the example leaves out are sent in some states
                # (automatic_payment_methods.allow_redirects); without a spec, anything goes.
                node["o"] = sorted(set(props) - set(value))
    return node


def object_shape(fixture: Mapping[str, Any], component: Mapping[str, Any] | None, spec: _Spec | None) -> dict[str, Any]:
    """The shape of one resource: its default field tree and the fields sent only when expanded."""
    props = spec.properties(component) if spec is not None and component is not None else {}
    default = {key: _node(value, props.get(key), spec) for key, value in sorted(fixture.items())}
    # payment_method.sepa_debit is sent for a sepa_debit method, not on request: per-type details
    # are optional, whatever x-expandableFields says of them.
    per_type = set(spec.resolve(props.get("type")).get("enum", [])) if spec is not None else set()
    expandable = set((component or {}).get("x-expandableFields", [])) - per_type
    # A field the spec describes as expandable but the generator leaves out is includable: Stripe
    # sends it only when the request expands it (customer.sources since 2020-08-27).
    includable = sorted(name for name in props if name in expandable and name not in default)
    optional = sorted(name for name in props if name not in default and name not in expandable)
    return {"default": default, "includable": includable, "optional": optional}


def _drop(tree: dict[str, Any], path: str) -> None:
    *heads, leaf = path.split(".")
    for head in heads:
        tree = tree.get(head, {}).get("f", {})
    tree.pop(leaf, None)


def _add(tree: dict[str, Any], path: str, change: Change) -> None:
    *heads, leaf = path.split(".")
    for head in heads:
        tree = tree.setdefault(head, {"t": ["object"]}).setdefault("f", {})
    tree[leaf] = {"t": _FRAGMENTS.types(change.schema or {})}


def _retype(tree: dict[str, Any], path: str, fragment: Mapping[str, Any]) -> None:
    """Types from the catalogue's fragment for a field the fixture shows but the spec predates."""
    *heads, leaf = path.split(".")
    for head in heads:
        tree = tree.get(head, {}).get("f", {})
    types = _FRAGMENTS.types(fragment)
    if leaf in tree and types is not None:
        tree[leaf]["t"] = types


def apply_release(shapes: dict[str, dict[str, Any]], release: Release, *, additions: bool) -> None:
    """A catalogue release on a set of shapes: removals and moves always, additions if asked."""
    for change in release.changes:
        shape = shapes.get(change.object)
        if shape is None or change.backfill:
            continue
        tree = shape["default"]
        if change.change in ("removed", "moved"):
            _drop(tree, change.path)
            if "." not in change.path:
                for extras in ("includable", "optional"):
                    shape[extras] = [f for f in shape[extras] if f != change.path]
            if change.to and additions:
                _add(tree, change.to, change)
        elif change.change in ("added", "retyped") and change.schema is not None:
            if additions:
                _add(tree, change.path, change)
            else:
                _retype(tree, change.path, change.schema)


#: Where real recordings (tests/data/realdata) and the fixtures disagree, the recordings win:
#: (object, field) -> (from version, node to add, or None to drop).
RECORDINGS_WIN: dict[tuple[str, str], tuple[str, dict[str, Any] | None]] = {
    # pay/test_stripe_creates_customer_when_no_processor_id.yml: every 2026-03-25.dahlia customer has
    # it, the 2025-10-29.clover one does not; the fixtures add it to invoices and payment methods
    # at 2025-12-15.clover, and never to customers.
    ("customer", "customer_account"): ("2025-12-15.clover", {"t": ["null", "string"]}),
    # pay/test_stripe_can_create_an_invoice.yml: the 2026-03-25.dahlia invoice item has no net_amount.
    ("invoiceitem", "net_amount"): ("2026-03-25.dahlia", None),
}


def _recordings_win(shapes: dict[str, dict[str, Any]], version: str) -> None:
    for (obj, name), (since, node) in RECORDINGS_WIN.items():
        if obj in shapes and version_key(version) >= version_key(since):
            if node is None:
                shapes[obj]["default"].pop(name, None)
            else:
                shapes[obj]["default"][name] = dict(node)


def _inherit_extras(shapes: dict[str, dict[str, Any]], at_spec: Mapping[str, dict[str, Any]]) -> None:
    """Includable and optional fields of a version newer than its spec: the spec version's ones.

    Measured against the newer fixture, a field the spec version sent by default but the newer
    fixture lacks would look includable; it was removed (payment_intent.invoice in basil).
    """
    for name, shape in shapes.items():
        base = at_spec.get(name)
        if base is not None:
            shape["includable"] = [f for f in base["includable"] if f not in shape["default"]]
            shape["optional"] = [f for f in base["optional"] if f not in shape["default"]]


def _load_gz(path: Path) -> dict[str, Any]:
    with gzip.open(path, "rt") as f:
        return json.load(f)


def build_shapes(
    fixtures_dir: Path, specs_dir: Path, catalogue: Iterable[Release]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Every version's full shape set: ``{version: {object: shape}}``, oldest first."""
    snapshots = sorted((p.parent.name for p in fixtures_dir.glob("*/fixtures3.json.gz")), key=version_key)
    specs = sorted((p.parent.name for p in specs_dir.glob("*/spec3.json.gz")), key=version_key)
    if not snapshots or not specs:
        raise ConfigError(
            f"no fixtures3.json.gz under {fixtures_dir} or no spec3.json.gz under {specs_dir}: "
            "pass the folders that hold one sub-folder per API version"
        )
    releases = list(catalogue)
    loaded_specs: dict[str, _Spec] = {}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for version in snapshots:
        spec_version = max((s for s in specs if version_key(s) <= version_key(version)), key=version_key, default=None)
        spec_version = spec_version or specs[0]
        if spec_version not in loaded_specs:
            loaded_specs[spec_version] = _Spec(_load_gz(specs_dir / spec_version / "spec3.json.gz"))
        spec = loaded_specs[spec_version]
        resources = _load_gz(fixtures_dir / version / "fixtures3.json.gz")["resources"]
        shapes = {
            name: object_shape(resources[name], spec.components.get(name), spec)
            for name in OBJECTS
            if name in resources
        }
        shapes.update(copy.deepcopy(HAND_WRITTEN))
        if spec_version != version and spec_version in out:
            _inherit_extras(shapes, out[spec_version])
        for release in releases:
            if version_key(release.version) <= version_key(version):
                apply_release(shapes, release, additions=False)
        _recordings_win(shapes, version)
        out[version] = shapes
    last = snapshots[-1]
    for release in releases:
        if version_key(release.version) > version_key(last):
            shapes = copy.deepcopy(out[max(out, key=version_key)])
            apply_release(shapes, release, additions=True)
            out[release.version] = shapes
    return out


def write_shapes(all_shapes: Mapping[str, Mapping[str, Any]], contracts_dir: Path) -> list[str]:
    """One file per version holding only the objects that changed since the previous one; returns the versions."""
    target = contracts_dir / SHAPES_DIR
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.json"):
        old.unlink()
    written, previous = [], {}
    for version in sorted(all_shapes, key=version_key):
        changed = {name: shape for name, shape in all_shapes[version].items() if previous.get(name) != shape}
        previous = dict(all_shapes[version])
        if changed:
            (target / f"{version}.json").write_text(json.dumps(changed, indent=1, sort_keys=True) + "\n")
            written.append(version)
    return written


def build(fixtures_dir: Path, specs_dir: Path, contracts_dir: Path) -> list[str]:
    """Regenerate ``contracts/shapes``; returns the versions that got a file."""
    return write_shapes(build_shapes(fixtures_dir, specs_dir, load_catalogue(contracts_dir)), contracts_dir)
