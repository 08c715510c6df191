"""Finding secret-shaped values in recordings, so that CI refuses a cassette that leaks one.

The recorder scrubs before anything is written; this is the independent second check,
for cassettes edited by hand, recorded by an older harness, or copied in from elsewhere.
It reads every string in a YAML or JSON file (keys too), so YAML line folding and JSON
escapes cannot hide a value, and reports where it is without printing it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from .secret_patterns import hits
from .store import temp_files

_AUTHORIZATION = re.compile(r"(?i)^(?:proxy-)?authorization$")
SCANNED_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Finding:
    """One secret-shaped value: which file, where in it, what kind, and a masked hint."""

    path: Path
    location: str
    kind: str
    hint: str

    def __str__(self) -> str:
        return f"{self.path}: {self.location}: {self.kind} ({self.hint})"


def _mask(value: str) -> str:
    """Enough to find the value in the file, never enough to use it."""
    return value[:8] + "…" if len(value) > 8 else value[:2] + "…"


def findings_in_text(text: str) -> Iterator[tuple[str, str]]:
    """``(kind, masked value)`` for every secret-shaped value in one string, in any encoding."""
    for hit in hits(text):
        yield hit.kind.name, _mask(hit.value)


def _walk(node: Any, location: str) -> Iterator[tuple[str, str, str]]:
    """``(location, kind, masked value)`` for every finding in a parsed document."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{location}.{key}" if location else str(key)
            if isinstance(key, str) and _AUTHORIZATION.match(key):
                yield where, "Authorization header", "never recorded by the harness"
            yield from _walk(key, where)
            yield from _walk(value, where)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{location}[{index}]")
    elif isinstance(node, bytes):
        yield from _walk(node.decode("utf-8", "surrogateescape"), location)
    elif isinstance(node, str):
        for kind, hint in findings_in_text(node):
            yield location or "(top)", kind, hint


def _load(path: Path) -> Any:
    text = path.read_text("utf-8", errors="replace")
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        return text  # unparseable: still scan it as plain text


def scan_file(path: Path) -> list[Finding]:
    """Every secret-shaped value in one file."""
    return [Finding(path, *found) for found in _walk(_load(path), "")]


def files_under(target: Path) -> list[Path]:
    """The cassette-like files ``target`` names: itself, or every one below it."""
    if target.is_file():
        return [target]
    if target.is_dir():
        return sorted(p for p in target.rglob("*") if p.suffix in SCANNED_SUFFIXES and p.is_file())
    raise ConfigError(f"{target} does not exist; pass a cassette file or folder (default: cassettes/)")


def _leftover(path: Path) -> Finding:
    return Finding(path, "(file)", "temporary file of an interrupted cassette write", "delete it or start a recording")


def scan(targets: list[Path]) -> tuple[int, list[Finding]]:
    """``(files scanned, findings)`` over every file the targets name, and any write a crash left behind."""
    files = [path for target in targets for path in files_under(target)]
    leftovers = [path for target in targets for path in temp_files(target)]
    findings = [_leftover(path) for path in leftovers]
    findings += [finding for path in [*files, *leftovers] for finding in scan_file(path)]
    return len(files) + len(leftovers), findings
