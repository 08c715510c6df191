"""The version-change catalogue: one JSON file per Stripe API version, one entry per field change.

Stripe publishes no OpenAPI spec in this repository after 2023-08-16, so later contracts are
*derived*: the catalogue says, with a source for every line, which fields of the harness's
objects each later version added, removed, moved, retyped or made required, and
:mod:`harness.contracts.derive` applies it to the newest spec set. Keeping it as data means a
reviewer can check each claim against its changelog link, and ``contracts diff`` can answer
"what does this upgrade change for us" from the same facts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError

CHANGE_KINDS = ("added", "removed", "moved", "retyped", "required")
REQUEST_CHANGE_KINDS = ("removed", "moved")
_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")


def version_key(version: str) -> str:
    """Sort key for API versions: the date prefix orders them (release names only label majors)."""
    return version[:10]


def is_version(text: str) -> bool:
    """True for strings shaped like a Stripe API version (``2024-06-20``, ``2025-03-31.basil``)."""
    return bool(_VERSION.match(text))


@dataclass(frozen=True)
class Change:
    """One field change of one object in one API version."""

    object: str
    change: str
    path: str
    source: str
    to: str | None = None
    schema: dict[str, Any] | None = None
    required: bool = False
    backfill: bool = False
    note: str = ""


@dataclass(frozen=True)
class RequestChange:
    """One request parameter an API version stops accepting (response shapes are unaffected)."""

    object: str
    operations: tuple[str, ...]
    param: str
    change: str
    source: str
    to: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Release:
    """One API version's catalogue file."""

    version: str
    released: str
    breaking: bool
    summary: str
    sources: tuple[str, ...]
    changes: tuple[Change, ...]
    #: Request-side changes: what ``scan`` checks the parameters of Stripe calls against.
    requests: tuple[RequestChange, ...] = ()


def _change(raw: dict[str, Any], where: str) -> Change:
    try:
        change = Change(**raw)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}; entries take {', '.join(Change.__dataclass_fields__)}") from exc
    if change.change not in CHANGE_KINDS:
        raise ConfigError(f"{where}: change {change.change!r} is not one of {', '.join(CHANGE_KINDS)}")
    if not change.source:
        raise ConfigError(f"{where}: every change must cite its source (a changelog URL or spec commit)")
    if change.change == "moved" and not change.to:
        raise ConfigError(f"{where}: a 'moved' change needs 'to' (the field's new path)")
    return change


def _request_change(raw: dict[str, Any], where: str) -> RequestChange:
    try:
        change = RequestChange(**{**raw, "operations": tuple(raw.get("operations", ()))})
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}; entries take {', '.join(RequestChange.__dataclass_fields__)}") from exc
    if change.change not in REQUEST_CHANGE_KINDS or not change.source or not change.operations:
        msg = f"{where}: needs change ({', '.join(REQUEST_CHANGE_KINDS)}), operations and a source"
        raise ConfigError(msg)
    return change


def load_release(path: Path) -> Release:
    """Read and check one catalogue file; errors name the file and the entry."""
    try:
        raw = json.loads(path.read_text())
        changes = tuple(_change(entry, f"{path}: changes[{i}]") for i, entry in enumerate(raw.pop("changes")))
        requests = tuple(
            _request_change(entry, f"{path}: requests[{i}]") for i, entry in enumerate(raw.pop("requests", []))
        )
        release = Release(changes=changes, requests=requests, sources=tuple(raw.pop("sources")), **raw)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"cannot read catalogue file {path}: {exc}; compare it with contracts/README.md") from exc
    if release.version != path.name.removesuffix(".json") or not is_version(release.version):
        raise ConfigError(f"{path}: 'version' must be the API version the file is named after")
    return release


def load_catalogue(contracts_dir: Path) -> list[Release]:
    """Every release in ``contracts_dir/catalogue``, oldest first."""
    files = sorted((contracts_dir / "catalogue").glob("*.json"), key=lambda p: version_key(p.name))
    return [load_release(path) for path in files]
