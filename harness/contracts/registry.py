"""Which contract files apply to which API version, and the payload walker that applies them.

A version's contract for an object is the newest ``provider/<set>/<object>.schema.json`` whose
set is at or before that version: spec-generated sets hold every object, derived sets only what
their catalogue release changed, so monthly versions share their major's shapes automatically.
Versions older than the oldest spec are listed in ``legacy_versions.json`` with the set that
validates them and why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ConfigFileError
from .build import provider_sets
from .catalogue import load_catalogue, version_key
from .consumer import consumer_schemas
from .validate import CompiledSchema, Violation, compiled, join_path, read_schema_file

LEGACY_FILE = "legacy_versions.json"
_CONTAINERS = (dict, list)  # a tuple: isinstance checks it faster than ``dict | list``, per node walked


def default_contracts_dir() -> Path:
    """The checkout's ``contracts/`` (editable install), else the copy a wheel ships in ``harness/_data``."""
    here = Path(__file__).resolve()
    checkout, shipped = here.parents[2] / "contracts", here.parents[1] / "_data" / "contracts"
    return checkout if (checkout / "provider").is_dir() or not (shipped / "provider").is_dir() else shipped


def resolve_contracts_dir(contracts_dir: Path | None) -> Path:
    resolved = (contracts_dir or default_contracts_dir()).resolve()
    if not (resolved / "provider").is_dir():
        raise ConfigError(
            f"no contracts at {resolved}: pass contracts_dir, or install the harness with `pip install -e .` "
            "from a checkout that has contracts/provider (run `stripe-compat contracts build` to create it)"
        )
    return resolved


def _legacy(contracts_dir: Path) -> dict[str, str]:
    path = contracts_dir / LEGACY_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_bytes())
        return {version: data["validate_with"] for version in data["versions"]}
    except (ValueError, KeyError, TypeError) as exc:
        msg = (
            f"{path} cannot be read ({type(exc).__name__}: {exc}); it needs 'versions' (a list) and "
            "'validate_with' (a provider set): restore it from git (see contracts/README.md)."
        )
        raise ConfigFileError(msg, path) from None


@cache
def _known(contracts_dir: Path) -> tuple[str, ...]:
    versions = set(provider_sets(contracts_dir)) | {r.version for r in load_catalogue(contracts_dir)}
    return tuple(sorted(versions | set(_legacy(contracts_dir)), key=version_key))


def known_api_versions(contracts_dir: Path | None = None) -> list[str]:
    """Every API version that has contracts, oldest first."""
    return list(_known(resolve_contracts_dir(contracts_dir)))


@dataclass
class Contracts:
    """The provider and consumer contracts in force for one API version."""

    api_version: str
    contracts_dir: Path
    _provider: dict[str, Path] = field(default_factory=dict, repr=False)
    _consumer: dict[str, list[tuple[Path, str]]] = field(default_factory=dict, repr=False)
    # The walker asks for the same few object types for every object of every payload.
    _checkers: dict[tuple[str, bool], tuple[CompiledSchema | None, list[CompiledSchema]]] = field(
        default_factory=dict, repr=False
    )

    def _display(self, path: Path) -> str:
        return f"{self.contracts_dir.name}/{path.relative_to(self.contracts_dir).as_posix()}"

    def provider_schema(self, object_type: str, *, strict: bool = False) -> CompiledSchema | None:
        """Stripe's schema for ``object_type`` (``deleted_customer``, ``error``...) or None if out of scope."""
        path = self._provider.get(object_type)
        if path is None:
            return None
        if strict:
            path = path.with_name(path.name.replace(".schema.json", ".strict.schema.json"))
        return compiled(path, "", self._display(path))

    def consumer_schemas(self, object_type: str) -> list[CompiledSchema]:
        """Each integration's schema for ``object_type`` (none if no integration reads that object)."""
        return [
            compiled(path, pointer, f"{self._display(path)}{pointer}")
            for path, pointer in self._consumer.get(object_type, [])
        ]

    def check_files(self) -> None:
        """Read every contract file this version uses, so a damaged one stops a run before any scenario."""
        for path in sorted(set(self._provider.values())):
            read_schema_file(path)

    def violations(self, payload: Any, *, strict: bool = False) -> list[Violation]:
        """Every contract violation in ``payload`` (a response body, event or list), nested objects included.

        Objects are found by their ``object`` field; an error body is recognised at the top.
        An event's ``data.object`` is checked against the contracts of the event's own
        ``api_version``, because Stripe renders webhooks at the endpoint's version.
        """
        out: list[Violation] = []
        if isinstance(payload, dict) and "object" not in payload and isinstance(payload.get("error"), dict):
            self._check(payload, "error", (), strict, out)
        elif isinstance(payload, dict | list):
            self._walk(payload, (), strict, out)
        return out

    def _check(self, node: Any, object_type: str, parts: tuple[Any, ...], strict: bool, out: list[Violation]) -> None:
        checkers = self._checkers.get((object_type, strict))
        if checkers is None:
            checkers = (self.provider_schema(object_type, strict=strict), self.consumer_schemas(object_type))
            self._checkers[(object_type, strict)] = checkers
        provider, consumers = checkers
        # The JSON path is spelled out only for an object that fails: most pass.
        if provider is not None and not provider.is_valid(node):
            out.extend(provider.violations(node, join_path("$", parts), object_type, "warning"))
        for consumer in consumers:
            if not consumer.is_valid(node):
                out.extend(consumer.violations(node, join_path("$", parts), object_type, "blocker"))

    def _walk(self, node: Any, parts: tuple[Any, ...], strict: bool, out: list[Violation]) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, _CONTAINERS):
                    self._walk(item, (*parts, index), strict, out)
            return
        kind = node.get("object")
        if isinstance(kind, str):
            object_type = f"deleted_{kind}" if node.get("deleted") is True else kind
            self._check(node, object_type, parts, strict, out)
            if kind == "event":
                self._walk_event(node, parts, strict, out)
                return
        for key, value in node.items():
            if isinstance(value, _CONTAINERS):
                self._walk(value, (*parts, key), strict, out)

    def _walk_event(self, event: dict[str, Any], parts: tuple[Any, ...], strict: bool, out: list[Violation]) -> None:
        data = event.get("data")
        if not isinstance(data, dict):
            return  # the envelope check above already reported it
        rendered_at = event.get("api_version") or self.api_version
        try:
            target = self if rendered_at == self.api_version else load_contracts(rendered_at, self.contracts_dir)
        except ConfigError:
            out.append(
                Violation(
                    join_path("$", (*parts, "api_version")),
                    "event",
                    "an API version with contracts (see `stripe-compat contracts check --help`)",
                    repr(rendered_at),
                    f"{self.contracts_dir.name}/catalogue",
                    "warning",
                )
            )
            return
        # previous_attributes is a partial object of old values: no contract applies to it as a whole
        if isinstance(data.get("object"), dict | list):
            target._walk(data["object"], (*parts, "data", "object"), strict, out)


def _provider_files(contracts_dir: Path, version: str) -> dict[str, Path]:
    sets = [s for s in provider_sets(contracts_dir) if version_key(s) <= version_key(version)]
    legacy = _legacy(contracts_dir)
    if not sets and version in legacy:
        sets = [legacy[version]]
    files: dict[str, Path] = {}
    for set_version in sets:  # oldest first: newer sets override the objects they changed
        for path in (contracts_dir / "provider" / set_version).glob("*.schema.json"):
            if not path.name.endswith(".strict.schema.json"):
                files[path.name.removesuffix(".schema.json")] = path
    return files


@cache
def _load(api_version: str, contracts_dir: Path) -> Contracts:
    known = _known(contracts_dir)
    if api_version not in known:
        raise ConfigError(
            f"no contracts for Stripe API version {api_version!r}. Known versions: {', '.join(known)}. "
            "Add a catalogue file under contracts/catalogue/ (see contracts/README.md) to support a new version."
        )
    contracts = Contracts(api_version, contracts_dir, _provider_files(contracts_dir, api_version))
    for consumer_file in consumer_files(contracts_dir):
        for name, (_schema, pointer) in consumer_schemas(consumer_file, api_version).items():
            contracts._consumer.setdefault(name, []).append((consumer_file, pointer))
    return contracts


def consumer_files(contracts_dir: Path | None = None) -> list[Path]:
    """The consumer contracts in force; none at all is an error, since every blocker check would pass vacuously."""
    folder = resolve_contracts_dir(contracts_dir) / "consumer"
    found = sorted(folder.glob("*.json"))
    if not found:
        msg = (
            f"no consumer contract in {folder}: without one no scenario can fail on a field your integration "
            "reads. Restore the file (`git checkout -- <file>`) or write one for your integration "
            "(see contracts/README.md)."
        )
        raise ConfigFileError(msg, folder)
    return found


def load_contracts(api_version: str, contracts_dir: Path | None = None) -> Contracts:
    """The contracts for ``api_version``; cached per (version, directory). Unknown version -> ConfigError."""
    return _load(api_version, resolve_contracts_dir(contracts_dir))
