"""Shared bodies: one API version's pool of base documents that cassettes store their documents against.

The scenarios of one API version replay the same flows again and again (every fault
scenario pays the same invoices, every webhook scenario tells the same account story), so
most response bodies and events are near-copies of each other with fresh ids and
timestamps. Each folder ``<cassettes>/<api version>/_shared/`` holds base documents, each
an immutable pretty-printed JSON file named ``<object>-<sha256[:12]>.json`` after its
content, and a cassette stores a document as a reference to one (see :mod:`.references`)::

    {"base": "invoice-3f2a9c0d41be.json", "changes": {"/id": "in_…", "/amount_due": 1500}, "removed": ["/discount"]}
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from .atomic import create_once

SHARED_DIR = "_shared"
#: A document whose best change set would exceed this share of its own (compact) size becomes
#: a base itself. Most of any change set is fresh ids and timestamps, which no base can hold:
#: on the committed cassettes a lower threshold (0.5) made 428 bases of 2024-06-20's documents
#: where 0.6 makes 22, for 11% more bytes and no shorter change sets; from 0.6 to 1.0 nothing
#: changes. Below it, a change set is still mostly the document's identity, one line to read.
NEW_BASE_SHARE = 0.6
#: Documents shorter than this (a deleted object, an error) stay inline: a reference to a
#: base would be nearly as long, and the document itself is what a reviewer wants to read.
INLINE_BELOW = 400
_UNSAFE = re.compile(r"[^A-Za-z0-9_.]+")
_NAME = re.compile(r"^[A-Za-z0-9_.]+-[0-9a-f]{12}\.json$")
#: Base files by path: immutable and named by their content, so read (and parsed) once per process.
_TEXTS: dict[Path, str] = {}
_PARSED: dict[Path, Any] = {}


class BaseProblem(Exception):
    """A reference that cannot be resolved: the base is missing, damaged, or does not fit the changes.

    Internal: the store turns it into a :class:`~harness.errors.DamagedCassette` naming the cassette.
    """

    def __init__(self, base: str, problem: str) -> None:
        self.base, self.problem = base, problem
        super().__init__(f"{base}: {problem}")


class MissingBaseFile(BaseProblem):
    """The shared base a reference names is not in the folder (deleted, or the cassette was moved)."""


def kind_of(doc: Any) -> str:
    """What a document is, for choosing its base: its ``object``, an event's type, a list's items."""
    if not isinstance(doc, dict):
        return type(doc).__name__
    obj = doc.get("object")
    if obj == "event":
        return f"event:{doc.get('type')}"
    if obj == "list":
        items = doc.get("data")
        first = items[0] if isinstance(items, list) and items else None
        return f"list:{kind_of(first) if first is not None else ''}"
    if isinstance(obj, str):
        return obj
    return "error" if "error" in doc else "document"


def _prefix(doc: Any) -> str:
    obj = doc.get("object") if isinstance(doc, dict) else None
    if isinstance(obj, str) and obj:
        return _UNSAFE.sub("_", obj)
    return "error" if kind_of(doc) == "error" else "document"


def base_text(doc: Any) -> str:
    """How a base file is written: pretty-printed, in the document's own key order."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def base_name(doc: Any, text: str) -> str:
    """``<object>-<sha12>.json``, named by the content so that equal documents share one file."""
    return f"{_prefix(doc)}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}.json"


class BasePool:
    """The bases of one API version folder, read once each, and added to without ever being rewritten.

    ``existing=False`` starts from no bases (``cassettes compact`` rebuilds the pool from the
    documents alone, so that its result depends on nothing but their content).
    """

    def __init__(self, folder: Path, *, existing: bool = True) -> None:
        self.folder = folder
        self._docs: dict[str, Any] = {}
        self._by_kind: dict[str, list[tuple[str, Any]]] | None = None if existing else {}

    def _text(self, name: str) -> str:
        path = self.folder / name
        if (text := _TEXTS.get(path)) is not None:
            return text
        if not _NAME.match(name):
            raise BaseProblem(name, f"is not a shared base's name (<object>-<12 hex digits>.json in {SHARED_DIR}/)")
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise MissingBaseFile(name, f"the shared base is missing from {self.folder}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BaseProblem(name, f"the shared base {path} cannot be read ({exc})") from None
        if hashlib.sha256(text.encode("utf-8")).hexdigest()[:12] != name.rsplit("-", 1)[1][:12]:
            raise BaseProblem(name, f"the shared base {path} was changed: its content no longer matches its name")
        _TEXTS[path] = text
        return text

    def parsed(self, name: str) -> Any:
        """The base ``name``, parsed once per process; shared by every reader, so never to be changed."""
        if (doc := self._docs.get(name)) is not None:
            return doc
        path = self.folder / name
        if (doc := _PARSED.get(path)) is None:
            try:
                doc = _PARSED[path] = json.loads(self._text(name))
            except ValueError as exc:
                raise BaseProblem(name, f"the shared base {path} is not JSON ({exc})") from None
        self._docs[name] = doc
        return doc

    def bases(self, kind: str) -> list[tuple[str, Any]]:
        """The pool's bases of one kind (see :func:`kind_of`), oldest first."""
        if self._by_kind is None:
            self._by_kind = {}
            for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
                try:
                    doc = self.parsed(path.name)
                except BaseProblem:
                    continue  # a damaged base is never chosen; the cassettes using it say so when read
                self._by_kind.setdefault(kind_of(doc), []).append((path.name, doc))
        return self._by_kind.get(kind, [])

    def add(self, doc: Any) -> str:
        """Make ``doc`` a base (created once, atomically, never rewritten); returns its name."""
        text = base_text(doc)
        name = base_name(doc, text)
        create_once(self.folder / name, text)
        kind = kind_of(doc)
        self.bases(kind)
        assert self._by_kind is not None  # loaded by bases()
        same = self._by_kind.setdefault(kind, [])
        if all(existing != name for existing, _ in same):
            same.append((name, self.parsed(name)))  # read back: a base of that name made by another writer is checked
        return name


def forget_bases() -> None:
    """Drop the bases read so far (a benchmark measuring a cold start; a test that rewrites a base)."""
    _TEXTS.clear()
    _PARSED.clear()
