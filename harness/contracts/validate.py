"""Compiled validators and readable violations.

Each schema file is compiled once per process. ``jsonschema-rs`` (draft 2020-12, compiled in
Rust in well under a millisecond per file, so no cache is needed) answers the common question,
"is this object valid?"; only an invalid object is re-checked with ``jsonschema``, whose errors
carry the validator keyword, its value and the failing sub-schema that the report's wording
(``$comment`` of a removed field, the known properties of a strict object) is built from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from ..errors import ConfigFileError

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


@dataclass(frozen=True)
class Violation:
    """One place where a payload breaks a contract.

    ``severity`` is ``"blocker"`` for the consumer contract (the integration reads this field)
    and ``"warning"`` for Stripe's provider schema (Stripe deviates from its own description).
    """

    path: str
    object_type: str
    expected: str
    got: str
    schema_file: str
    severity: str

    def __str__(self) -> str:
        where = f"{self.severity}: {self.path} ({self.object_type})"
        return f"{where}: expected {self.expected}, got {self.got} [{self.schema_file}]"


def short(value: Any, limit: int = 60) -> str:
    """A one-line repr of a JSON value, cut to ``limit`` characters."""
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_type(value: Any) -> str:
    """The JSON type name of a decoded value (``null`` for None)."""
    for python_type, name in _JSON_TYPES:
        if isinstance(value, python_type):
            return name
    return "null"


def join_path(base: str, parts: Iterable[Any]) -> str:
    """``$.data`` + ``[0, "id"]`` -> ``$.data[0].id``."""
    out = base
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _branch(schema: Any) -> str:
    if not isinstance(schema, dict):
        return str(schema)
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "type" in schema:
        return "|".join(schema["type"]) if isinstance(schema["type"], list) else schema["type"]
    return "any" if not schema else "object"


class CompiledSchema:
    """One schema file, compiled for both the fast yes/no check and the detailed report."""

    def __init__(self, schema: dict[str, Any], display: str) -> None:
        self.schema, self.display = schema, display
        self._fast = jsonschema_rs.Draft202012Validator(self.schema)

    @cached_property
    def _detail(self) -> Draft202012Validator:
        # Only a failing instance needs jsonschema's error detail: imported and built then, not in
        # every matrix cell's start-up (importing it and its referencing library took ~70 ms).
        from jsonschema import Draft202012Validator

        return Draft202012Validator(self.schema)

    def is_valid(self, instance: Any) -> bool:
        """True when the instance matches (jsonschema-rs)."""
        return self._fast.is_valid(instance)

    def violations(self, instance: Any, base: str, object_type: str, severity: str) -> list[Violation]:
        """Every violation of this schema by ``instance``, located under JSON path ``base``."""
        if self.is_valid(instance):
            return []
        out: dict[Violation, None] = {}  # jsonschema repeats a `required` error once per missing name
        for error in self._detail.iter_errors(instance):
            out.update(dict.fromkeys(self._describe(error, base, object_type, severity)))
        return list(out)

    def _describe(self, error: ValidationError, base: str, object_type: str, severity: str) -> Iterator[Violation]:
        path, kind, value, instance = (
            join_path(base, list(error.absolute_path)),
            error.validator,
            error.validator_value,
            error.instance,
        )

        def violation(where: str, expected: str, got: str) -> Violation:
            return Violation(where, object_type, expected, got, self.display, severity)

        if kind == "required":
            for name in value:
                if isinstance(instance, dict) and name not in instance:
                    yield violation(join_path(path, [name]), "a required property", "missing")
        elif kind == "additionalProperties" and value is False:
            known = set(error.schema.get("properties", {}))
            for name in instance:
                if name not in known:
                    yield violation(join_path(path, [name]), "no such property (strict profile)", short(instance[name]))
        elif kind == "not":
            reason = error.schema.get("$comment", "not allowed")
            yield violation(path, f"absent ({reason})", short(instance))
        elif kind == "type":
            types = "|".join(value) if isinstance(value, list) else value
            yield violation(path, f"type {types}", f"{json_type(instance)} {short(instance)}")
        elif kind == "enum":
            yield violation(path, "one of " + ", ".join(short(v) for v in value), short(instance))
        elif kind == "const":
            yield violation(path, short(value), short(instance))
        elif kind == "anyOf":
            yield violation(
                path, "one of " + " | ".join(_branch(b) for b in value), f"{json_type(instance)} {short(instance)}"
            )
        else:
            yield violation(path, error.message, short(instance))


_FIX = "restore it from git or regenerate it with `stripe-compat contracts build`"


def read_schema_file(path: Path) -> Any:
    """The parsed contract file; an absent, truncated or non-UTF-8 one is an error naming it."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigFileError(f"contract file {path} cannot be read ({exc}); {_FIX}.", path) from None


@cache
def compiled(path: Path, pointer: str, display: str) -> CompiledSchema:
    """The schema at JSON ``pointer`` ("" for the whole file) of ``path``, compiled once per process."""
    schema = read_schema_file(path)
    try:
        for part in filter(None, pointer.lstrip("#").split("/")):
            schema = schema[part]
    except (KeyError, TypeError):
        raise ConfigFileError(f"contract file {path} has nothing at {pointer}; {_FIX}.", path) from None
    if not isinstance(schema, dict):
        raise ConfigFileError(f"contract {path}{pointer} is not a JSON Schema object; {_FIX}.", path)
    try:
        return CompiledSchema(schema, display)
    except Exception as exc:  # jsonschema-rs refuses a schema it cannot compile (an unknown type, ...)
        raise ConfigFileError(f"contract {path}{pointer} is not a valid JSON Schema ({exc}); {_FIX}.", path) from None
