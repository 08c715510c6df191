"""Cached fastjsonschema validators behave exactly like freshly compiled ones."""

from __future__ import annotations

import json
from pathlib import Path

import fastjsonschema
import pytest

from harness.contracts import validate

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = sorted((ROOT / "contracts" / "provider" / "2020-08-27").glob("*.schema.json"))
CUSTOMER = ROOT / "contracts" / "provider" / "2020-08-27" / "customer.schema.json"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STRIPE_COMPAT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _schema(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_the_cached_validator_is_the_root_schemas_own(path: Path) -> None:
    schema = _schema(path)
    fresh = fastjsonschema.compile({**schema, "$schema": "http://json-schema.org/draft-07/schema#"}, use_default=False)

    validate._fast_validator(schema, path.name)  # compiles and stores
    cached = validate._fast_validator(schema, path.name)  # loads

    # The generated module defines one function per referenced schema; picking any but the
    # root's would validate the wrong shape.
    assert cached.__name__ == fresh.__name__


def test_the_second_compile_comes_from_the_cache_and_still_rejects(cache: Path) -> None:
    schema = _schema(CUSTOMER)
    validate._fast_validator(schema, "customer")
    (stored,) = cache.iterdir()

    cached = validate._fast_validator(schema, "customer")

    assert list(cache.iterdir()) == [stored]
    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        cached({"object": "customer", "id": 42})


def test_a_damaged_cache_entry_is_recompiled(cache: Path) -> None:
    schema = _schema(CUSTOMER)
    validate._fast_validator(schema, "customer")
    (stored,) = cache.iterdir()
    stored.write_bytes(b"not marshal data")

    check = validate._fast_validator(schema, "customer")

    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        check({"object": "customer", "id": 42})
    assert stored.read_bytes() != b"not marshal data"


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory would go")
    monkeypatch.setenv("STRIPE_COMPAT_CACHE_DIR", str(blocker / "cache"))

    check = validate._fast_validator(_schema(CUSTOMER), "customer")

    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        check({"object": "customer", "id": 42})
