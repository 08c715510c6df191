"""Consumer contracts: the fields an integration actually reads, as data.

Stripe's provider schema says what Stripe promises; the consumer contract says what *this*
integration relies on, which is what decides whether an upgrade breaks it. Each file in
``contracts/consumer/`` describes one integration::

    {"integration": "reference",
     "objects": {"customer": <JSON Schema>, "deleted_customer": ..., "list": ..., "error": ...},
     "since": {"2025-03-31.basil": {"invoice": <JSON Schema replacing the one above>}}}

``since`` holds the versions where the integration's expectations differ; the newest entry at
or before the requested version wins, per object. Schemas are written in JSON Schema 2020-12.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import ConfigFileError
from .catalogue import is_version, version_key


def load_consumer_file(path: Path) -> dict[str, Any]:
    """Read one consumer contract file and check its outline."""
    try:
        data = json.loads(path.read_text())
        objects, since = data["objects"], data.get("since", {})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigFileError(
            f"cannot read consumer contract {path}: {exc}; see contracts/README.md for the format", path
        ) from exc
    bad = [v for v in since if not is_version(v)]
    if not isinstance(objects, dict) or bad:
        raise ConfigFileError(
            f"{path}: 'objects' must map object names to schemas and 'since' keys must be API versions {bad}", path
        )
    return data


def consumer_schemas(path: Path, api_version: str) -> dict[str, tuple[dict[str, Any], str]]:
    """``{object name: (schema, JSON pointer into the file)}`` in force at ``api_version``."""
    data = load_consumer_file(path)
    chosen = {name: (schema, f"#/objects/{name}") for name, schema in data["objects"].items()}
    for version in sorted(data.get("since", {}), key=version_key):
        if version_key(version) <= version_key(api_version):
            for name, schema in data["since"][version].items():
                chosen[name] = (schema, f"#/since/{version}/{name}")
    return chosen
