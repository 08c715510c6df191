"""The catalogue is the single source of later versions' schemas; keep it honest."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

from harness.contracts.align import SHAPES_COMMENT
from harness.contracts.build import provider_sets, rederive
from harness.contracts.catalogue import load_catalogue
from harness.contracts.registry import default_contracts_dir

CONTRACTS = default_contracts_dir()


def _load_set(version: str) -> dict[str, dict]:
    folder = CONTRACTS / "provider" / version
    return {p.name: json.loads(p.read_text()) for p in folder.glob("*.schema.json")}


def _from_spec(properties: dict) -> dict:
    """The properties the spec itself describes, not those the shapes added (contracts/shapes)."""
    return {name: p for name, p in properties.items() if p.get("$comment") != SHAPES_COMMENT}


def _top_level_diff(old: dict, new: dict) -> set[tuple[str, str]]:
    changes = set()
    for name, schema in new.items():
        if ".strict." in name or name not in old:
            continue
        obj, before, after = (
            name.removesuffix(".schema.json"),
            _from_spec(old[name].get("properties", {})),
            _from_spec(schema.get("properties", {})),
        )
        changes |= {(obj, f"removed {p}") for p in before.keys() - after.keys()}
        changes |= {(obj, f"added {p}") for p in after.keys() - before.keys()}
        changes |= {(obj, f"retyped {p}") for p in before.keys() & after.keys() if before[p] != after[p]}
        changes |= {
            (obj, f"required {p}")
            for p in set(schema.get("required", [])) - set(old[name].get("required", []))
            if p in before
        }
    return changes


def test_catalogue_agrees_with_the_diff_of_consecutive_spec_sets() -> None:
    releases = {r.version: r for r in load_catalogue(CONTRACTS)}
    specs = provider_sets(CONTRACTS, "spec")
    assert len(specs) >= 2
    for old, new in itertools.pairwise(specs):
        claimed = {(c.object, f"{c.change} {c.path}") for c in releases[new].changes}
        assert claimed == _top_level_diff(_load_set(old), _load_set(new)), f"catalogue/{new}.json vs specs {old}→{new}"


def test_committed_provider_schemas_are_what_the_catalogue_and_the_shapes_produce(tmp_path: Path) -> None:
    copy = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, copy)

    rederive(copy)

    for path in sorted((copy / "provider").rglob("*.json")):
        committed = CONTRACTS / path.relative_to(copy)
        assert committed.exists(), f"{committed} is missing: run `stripe-compat contracts build`"
        assert json.loads(committed.read_text()) == json.loads(path.read_text()), f"{committed} is stale"
    assert {p.relative_to(CONTRACTS) for p in (CONTRACTS / "provider").rglob("*.json")} == {
        p.relative_to(copy) for p in (copy / "provider").rglob("*.json")
    }


def test_every_change_cites_a_source_and_every_version_through_endive_is_catalogued() -> None:
    releases = load_catalogue(CONTRACTS)
    assert all(c.source.startswith("https://") for r in releases for c in r.changes)
    versions = [r.version for r in releases]
    assert {"2023-10-16", "2024-06-20", "2025-03-31.basil", "2026-09-30.endive", "2026-10-28.endive"} <= set(versions)
