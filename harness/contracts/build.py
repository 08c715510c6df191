"""``contracts build``: regenerate ``contracts/provider`` from a Stripe OpenAPI spec and the catalogue.

Generated files are committed so that a fresh clone validates without network or the spec; this
module is the only thing that writes them, so that regenerating is one command and a test can
prove the committed files are what the catalogue says.
"""

from __future__ import annotations

import gzip
import json
import shutil
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from .align import align_object, resource_fields
from .catalogue import load_catalogue, version_key
from .derive import PROFILES, derive
from .openapi_to_schema import ROOT_COMPONENTS, SpecError, convert_spec

PROVENANCE = "provenance.json"


def read_spec(source: str) -> dict[str, Any]:
    """Load a spec3 document from a path or URL: JSON or YAML, optionally gzipped."""
    try:
        if source.startswith(("https://", "http://")):
            with urllib.request.urlopen(source, timeout=60) as response:
                data = response.read()
        else:
            data = Path(source).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read spec {source}: {exc}; pass a spec3.json/.yaml(.gz) path or URL") from exc
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    try:
        return json.loads(text)
    except ValueError:
        return yaml.safe_load(text)


def write_json(path: Path, data: Any) -> None:
    """Stable formatting, so that regenerated files diff cleanly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")


def provider_sets(contracts_dir: Path, kind: str | None = None) -> list[str]:
    """Versions that have a provider directory (optionally only ``spec`` or ``derived`` ones), oldest first."""
    found = []
    for marker in (contracts_dir / "provider").glob(f"*/{PROVENANCE}"):
        if kind is None or json.loads(marker.read_text())["kind"] == kind:
            found.append(marker.parent.name)
    return sorted(found, key=version_key)


def rederive(contracts_dir: Path) -> dict[str, list[str]]:
    """Replace every derived provider set with a fresh derivation from the newest spec set."""
    spec_sets = provider_sets(contracts_dir, "spec")
    if not spec_sets:
        raise ConfigError(
            f"no spec-generated set under {contracts_dir / 'provider'}; run `contracts build --spec` first"
        )
    base_version = spec_sets[-1]
    align_with_shapes(contracts_dir, base_version)  # the base, too, describes what its fixtures show
    base_dir = contracts_dir / "provider" / base_version
    base = {p.name: json.loads(p.read_text()) for p in base_dir.glob("*.schema.json")}
    for old in provider_sets(contracts_dir, "derived"):
        shutil.rmtree(contracts_dir / "provider" / old)
    written: dict[str, list[str]] = {}
    for version, files in derive(base, base_version, load_catalogue(contracts_dir)).items():
        target = contracts_dir / "provider" / version
        for name, schema in files.items():
            write_json(target / name, schema)
        write_json(
            target / PROVENANCE, {"kind": "derived", "base": base_version, "catalogue": f"catalogue/{version}.json"}
        )
        written[version] = sorted(files)
    for version, files in align_with_shapes(contracts_dir, base_version).items():
        written[version] = sorted({*written.get(version, []), *files})
    return dict(sorted(written.items(), key=lambda item: version_key(item[0])))


def _effective(contracts_dir: Path, version: str, file_name: str) -> Path | None:
    """The schema file in force for ``version``: the newest set at or before it that has the file."""
    for set_version in reversed(provider_sets(contracts_dir)):
        path = contracts_dir / "provider" / set_version / file_name
        if version_key(set_version) <= version_key(version) and path.exists():
            return path
    return None


def align_with_shapes(contracts_dir: Path, base_version: str) -> dict[str, list[str]]:
    """Add every default field of ``contracts/shapes`` to the schemas in force at the shape's version.

    A schema in force from an older set gets a new derived file at the shape's version; one
    already at that version is edited in place (adding a described field again changes nothing).
    """
    from .shapes import SHAPES_DIR, shapes_for  # shapes imports the registry, which imports this module

    written: dict[str, list[str]] = {}
    shape_versions = {p.stem for p in (contracts_dir / SHAPES_DIR).glob("*.json")}
    # A set derived after a shape version comes from the catalogue chain, which the alignment of
    # earlier files never reached: it is aligned with the shape in force at its own version.
    later_sets = {v for v in provider_sets(contracts_dir) if shape_versions and v >= min(shape_versions)}
    for version in sorted(shape_versions | later_sets, key=version_key):
        shapes = shapes_for(version, contracts_dir)
        for obj in ROOT_COMPONENTS:
            if obj not in shapes:
                continue
            for suffix in PROFILES:
                path = _effective(contracts_dir, version, obj + suffix)
                if path is None:
                    continue
                schema = json.loads(path.read_text())
                default = resource_fields(shapes[obj])
                if obj == "error":  # the shape is the inner object; the contract, the {"error": ...} body
                    default = {"error": {"t": ["object"], "f": default}}
                if not align_object(schema, default, shapes):
                    continue
                target = contracts_dir / "provider" / version
                if not (target / PROVENANCE).exists():
                    write_json(
                        target / PROVENANCE,
                        {"kind": "derived", "base": base_version, "shapes": f"{SHAPES_DIR}/{version}.json"},
                    )
                write_json(target / (obj + suffix), schema)
                written.setdefault(version, []).append(obj + suffix)
    return written


def build(spec_source: str, contracts_dir: Path) -> tuple[str, dict[str, list[str]]]:
    """Write the spec's schema set, then re-derive later versions; returns (spec version, derived files)."""
    spec = read_spec(spec_source)
    try:
        files = convert_spec(spec, spec_source.rsplit("/", 1)[-1] if "://" in spec_source else Path(spec_source).name)
    except SpecError as exc:
        raise ConfigError(str(exc)) from exc
    version = spec["info"]["version"]
    target = contracts_dir / "provider" / version
    if target.exists():
        shutil.rmtree(target)
    for name, schema in files.items():
        write_json(target / name, schema)
    write_json(target / PROVENANCE, {"kind": "spec", "source": spec_source, "info.version": version})
    return version, rederive(contracts_dir)
