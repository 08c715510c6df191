"""``contracts diff``: what an API upgrade (or downgrade) changes in the harness's objects.

Every catalogue change that can break a reader is listed (removed, moved, retyped, newly
required); the ``used_by_integration`` column marks the ones a consumer contract relies on,
which are the upgrade blockers.

Answered from the catalogue, not by diffing schema files: the catalogue knows that
``invoice.subscription`` *moved* to ``parent.subscription_details.subscription`` (a schema diff
only sees one field vanish and another appear) and it carries the changelog link a reviewer
needs. Additions are left out unless they are required, because new optional fields cannot
break a reader.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .catalogue import Change, load_catalogue, version_key
from .consumer import consumer_schemas
from .registry import known_api_versions, resolve_contracts_dir

_DOWNGRADE = {"removed": "restored", "required": "no longer required", "added (required)": "removed"}


@dataclass(frozen=True)
class DiffRow:
    """One field change between two API versions."""

    version: str
    object: str
    field: str
    change: str
    to: str | None
    used_by_integration: bool
    source: str
    note: str


def _consumer_fields(contracts_dir: Path, version: str) -> dict[str, set[str]]:
    """Dotted field paths each object's consumer contracts mention (``invoice_settings.default_payment_method``...)."""
    fields: dict[str, set[str]] = {}

    def collect(name: str, schema: dict[str, Any], prefix: str) -> None:
        for key, sub in schema.get("properties", {}).items():
            fields.setdefault(name, set()).add(prefix + key)
            if isinstance(sub, dict):
                collect(name, sub, f"{prefix}{key}.")

    for path in sorted((contracts_dir / "consumer").glob("*.json")):
        for name, (schema, _pointer) in consumer_schemas(path, version).items():
            collect(name, schema, "")
    return fields


def _row(version: str, change: Change, upgrade: bool, used: set[str]) -> DiffRow:
    kind = "added (required)" if change.change == "added" else change.change
    field, to = change.path, change.to
    if not upgrade:
        kind = _DOWNGRADE.get(kind, kind)
        if change.change == "moved":
            field, to = change.to or field, field
    touches = {field, *(f for f in used if f.startswith(field + ".") or field.startswith(f + "."))} & used
    return DiffRow(version, change.object, field, kind, to, bool(touches), change.source, change.note)


def diff_versions(from_version: str, to_version: str, contracts_dir: Path | None = None) -> list[DiffRow]:
    """Changes that break or move fields between two versions, in the order Stripe made them."""
    directory = resolve_contracts_dir(contracts_dir)
    known = known_api_versions(directory)
    for version in (from_version, to_version):
        if version not in known:
            raise ConfigError(f"unknown API version {version!r}; known versions: {', '.join(known)}")
    upgrade = version_key(from_version) <= version_key(to_version)
    low, high = sorted((from_version, to_version), key=version_key)
    used = _consumer_fields(directory, to_version if upgrade else from_version)
    rows: list[DiffRow] = []
    for release in load_catalogue(directory):
        if not version_key(low) < version_key(release.version) <= version_key(high):
            continue
        for change in release.changes:
            if change.backfill or (change.change == "added" and not change.required):
                continue
            rows.append(_row(release.version, change, upgrade, used.get(change.object, set())))
    return rows if upgrade else rows[::-1]


def as_json(rows: list[DiffRow]) -> list[dict[str, Any]]:
    """Rows as plain dicts for ``--json``."""
    return [asdict(row) for row in rows]


def as_table(rows: list[DiffRow]) -> str:
    """A fixed-width table: version, object, field, change, destination, whether the integration reads it."""
    header = ("version", "object", "field", "change", "to", "integration reads it")
    lines = [header] + [
        (r.version, r.object, r.field, r.change, r.to or "", "yes" if r.used_by_integration else "no") for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in lines]
    out.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(out)
