"""``stripe-compat cassettes compact``: every cassette of an API version folder stored against shared bases.

The pool is rebuilt from the recordings alone (cassettes in path order, documents in file
order), so the result depends on nothing but their content: running it twice changes
nothing, and a folder recorded piecemeal (each recorder adding the bases it needed) ends up
as if recorded at once. Each converted file is read back, through the same code replay
uses, and written (atomically) only if it holds exactly the interactions, metadata and
events it held before. Bases no cassette refers to any more are deleted last.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .atomic import replace_file
from .references import uses_references
from .shared import SHARED_DIR, BasePool
from .store import CassetteFile, cassette_files


@dataclass
class Outcome:
    """What ``compact`` did: one line per folder, and the cassettes it refused to convert."""

    lines: list[str] = field(default_factory=list)
    refused: list[Path] = field(default_factory=list)


def _content(cassette: CassetteFile) -> tuple[Any, ...]:
    return [(r._to_dict(), s) for r, s in cassette.interactions], cassette.metadata, cassette.events


def version_folders(targets: list[Path]) -> list[Path]:
    """The API version folders the targets name: a cassettes root stands for each folder below it."""
    folders: set[Path] = set()
    for target in targets:
        if not target.is_dir():
            what = "does not exist" if not target.exists() else "is a file"
            msg = f"{target} {what}: pass a cassettes root or an API version folder (default: cassettes/)"
            raise ConfigError(msg)
        found = [p for p in cassette_files(target) if p.suffix == ".json"]
        if not found:
            raise ConfigError(f"{target} holds no JSON cassette: pass a cassettes root or an API version folder")
        # <api version folder>/<test module>/<test>.json, the layout the recorder writes and bases are found by
        folders |= {path.parent.parent for path in found}
    return sorted(folders)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _prune(folder: Path) -> int:
    shared = folder / SHARED_DIR
    if not shared.is_dir():
        return 0
    used = {name for path in cassette_files(folder) if path.suffix == ".json"
            for name in uses_references(json.loads(path.read_text("utf-8")))}
    unused = [p for p in shared.glob("*.json") if p.name not in used]
    for path in unused:
        path.unlink()
    if not any(shared.iterdir()):
        shared.rmdir()
    return len(unused)


def compact_folder(folder: Path, outcome: Outcome) -> None:
    """Convert one API version folder, then prune its unused bases."""
    before = _size(folder)
    pool = BasePool(folder / SHARED_DIR, existing=False)
    files = [p for p in cassette_files(folder) if p.suffix == ".json" and p.parent.parent == folder]
    rewritten = 0
    for path in files:
        recorded = CassetteFile.read(path)
        text = recorded.text(path, pool)
        if text == path.read_text("utf-8"):
            continue
        if _content(CassetteFile.parse(path, text)) != _content(CassetteFile.read(path)):
            outcome.refused.append(path)
            outcome.lines.append(f"{path}: its shared form would not read back as the recording; left as it was")
            continue
        replace_file(path, text)
        rewritten += 1
    pruned = _prune(folder)
    bases = len(list((folder / SHARED_DIR).glob("*.json")))
    outcome.lines.append(
        f"{folder}: {before:,} -> {_size(folder):,} bytes ({len(files)} cassettes, {rewritten} rewritten; "
        f"{bases} shared bases, {pruned} unused removed)"
    )


def compact(targets: list[Path]) -> Outcome:
    """Compact every API version folder the targets name."""
    outcome = Outcome()
    for folder in version_folders(targets):
        compact_folder(folder, outcome)
    return outcome
