"""A cassette's JSON bodies and events stored as a base plus changes, and read back.

A reference is ``{"base": B, "changes": {pointer: value}, "removed": [pointer], "copied": {pointer: source}}``
(only ``base`` is required). ``B`` is either a shared base of the API version folder
(``invoice-3f2a9c0d41be.json``, see :mod:`.shared`) or a JSON pointer to a document earlier
in the same cassette: ``/interactions/3/response/body`` is the fourth response's body,
``/metadata/stripe_compat_events/2`` the third event. ``copied`` puts such a document at a
pointer: an event's ``/data/object`` is usually exactly the object a response returned.
The document is the base, less ``removed``, with ``changes`` set, then ``copied`` set.

Reading never copies a base: each document is built by copying only the containers on the
paths its changes touch (the rest is shared with the base, which nobody mutates), and a
body is rendered straight back to the text the server sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import jsonpatch
import orjson
from jsonpointer import JsonPointer, JsonPointerException, resolve_pointer

from .shared import INLINE_BELOW, NEW_BASE_SHARE, BasePool, BaseProblem, kind_of

EVENTS_KEY = "stripe_compat_events"
REFERENCE_KEYS = frozenset({"base", "changes", "removed", "copied"})
#: Earlier documents of the same kind in the cassette tried as bases, most recent first.
_RECENT = 12
#: Bases tried, cheapest change set first, before the document becomes a base of its own.
_TRIES = 3


def render_body(doc: Any) -> str:
    """A body as the servers the harness records from send it (2-space indent, ASCII escapes).

    orjson, because every matrix cell renders every body it replays, and the standard
    library's indenting encoder is pure Python (six times slower here). A body that this
    does not reproduce byte for byte is stored inline instead, so nothing depends on it matching.
    """
    try:
        text = orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode("utf-8")
    except TypeError:  # an integer beyond 64 bits
        return json.dumps(doc, indent=2)
    return text if text.isascii() else json.dumps(doc, indent=2)


def render_event(doc: Any) -> bytes:
    """An event as compared: its JSON, key order included."""
    try:
        return orjson.dumps(doc)
    except TypeError:
        return json.dumps(doc).encode("utf-8")


def _sorted_json(doc: Any) -> bytes:
    """``doc``'s JSON with sorted keys: the same for two equal documents whatever their key order."""
    try:
        return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return json.dumps(doc, sort_keys=True).encode("utf-8")


def body_pointer(index: int) -> str:
    return f"/interactions/{index}/response/body"


def event_pointer(index: int) -> str:
    return f"/metadata/{EVENTS_KEY}/{index}"


def is_reference(value: Any) -> bool:
    """Is ``value`` a stored reference rather than a document? (A Stripe object always has ``object`` or ``id``.)"""
    return isinstance(value, dict) and isinstance(value.get("base"), str) and value.keys() <= REFERENCE_KEYS


@lru_cache(maxsize=4096)
def _parts(pointer: str) -> tuple[str, ...]:
    return tuple(JsonPointer(pointer).parts)


def _parent(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0]


def _container(base: Any, doc: Any, pointer: str) -> Any:
    for source in (base, doc):
        try:
            return resolve_pointer(source, pointer)
        except JsonPointerException:
            continue
    return None


def changes_between(base: Any, doc: Any) -> dict[str, Any] | None:
    """``{"changes": {pointer: value}, "removed": [pointer]}`` that turn ``base`` into ``doc``.

    jsonpatch's operations on a list element (insert, remove, move) shift the indices of
    the operations after them; each such list is written as one change of the whole list,
    so that every pointer means the same in ``base`` as in ``doc`` and the order of
    application does not matter. None when the roots differ.
    """
    sets: dict[str, None] = {}
    removed: dict[str, None] = {}
    for op in jsonpatch.make_patch(base, doc).patch:
        targets = [(op["path"], op["op"])] + ([(op["from"], "remove")] if op["op"] == "move" else [])
        for pointer, what in targets:
            if what != "replace" and pointer and isinstance(_container(base, doc, _parent(pointer)), list):
                pointer, what = _parent(pointer), "replace"
            if pointer == "":
                return None
            (removed if what == "remove" else sets)[pointer] = None

    def covered(pointer: str, by: dict[str, None]) -> bool:
        return any(pointer.startswith(f"{other}/") for other in by)

    try:
        changes = {p: resolve_pointer(doc, p) for p in sets if not covered(p, sets)}
    except JsonPointerException:
        return None
    gone = [p for p in removed if p not in sets and not covered(p, sets) and not covered(p, removed)]
    return {"changes": changes, "removed": gone} if gone else {"changes": changes}


def _index(node: Any, part: str) -> Any:
    """The list index ``part`` names in ``node``; jsonpointer says why when it names none.

    Checked here for lists only: jsonpointer's get_part tests every container against
    collections.abc, which was most of the time spent reading a cassette.
    """
    if type(node) is list and part.isdigit() and (part == "0" or part[0] != "0"):
        return int(part)
    return JsonPointer.get_part(node, part)


class _Copier:
    """Copy-on-write edits of one document whose unchanged parts stay shared with its base."""

    def __init__(self, base: Any) -> None:
        self._owned: set[int] = set()
        self.root = self._fresh(base)

    def _fresh(self, node: Any) -> Any:
        copy = dict(node) if isinstance(node, dict) else list(node) if isinstance(node, list) else node
        self._owned.add(id(copy))
        return copy

    def _last(self, pointer: str) -> tuple[Any, Any]:
        parts = _parts(pointer)
        if not parts:
            raise JsonPointerException("the whole document cannot be changed; it is its own base")
        node, owned = self.root, self._owned
        for part in parts[:-1]:
            key = part if type(node) is dict else _index(node, part)
            child = node[key]
            if id(child) not in owned:
                child = node[key] = self._fresh(child)
            node = child
        last = parts[-1]
        return node, last if type(node) is dict else _index(node, last)

    def remove(self, pointer: str) -> None:
        parent, key = self._last(pointer)
        del parent[key]

    def set(self, pointer: str, value: Any) -> None:
        parent, key = self._last(pointer)
        if isinstance(parent, list) and not 0 <= key < len(parent):
            raise JsonPointerException(f"index {key} of {pointer} is out of bounds")
        parent[key] = value


def build(base: Any, reference: dict[str, Any], source: Callable[[str], Any]) -> Any:
    """The document ``reference`` stands for, over ``base``; ``source`` finds what ``copied`` names."""
    changes, removed, copied = reference.get("changes", {}), reference.get("removed", []), reference.get("copied", {})
    if not (isinstance(changes, dict) and isinstance(copied, dict) and isinstance(removed, list)):
        raise ValueError("'changes' and 'copied' must map JSON pointers, 'removed' must list them")
    doc = _Copier(base)
    for pointer in removed:
        doc.remove(pointer)
    for pointer, value in changes.items():
        doc.set(pointer, value)
    for pointer, where in copied.items():
        doc.set(pointer, source(where))
    return doc.root


class Resolver:
    """Resolves the references of one cassette document, in file order, against its folder's pool."""

    def __init__(self, pool: BasePool) -> None:
        self.pool = pool
        #: Documents a later reference may name: only bodies and events stored as references
        #: are ever named (the encoder never bases a document on one kept inline).
        self.bodies: dict[int, Any] = {}
        self.events: dict[int, Any] = {}

    def source(self, pointer: str) -> Any:
        """An earlier document of this cassette (or part of one), by JSON pointer."""
        parts = _parts(pointer)
        try:
            if parts[:1] == ("interactions",) and parts[2:4] == ("response", "body"):
                doc, rest = self.bodies[int(parts[1])], parts[4:]
            elif parts[:2] == ("metadata", EVENTS_KEY):
                doc, rest = self.events[int(parts[2])], parts[3:]
            else:
                raise KeyError(pointer)
            return JsonPointer.from_parts(rest).resolve(doc) if rest else doc
        except (KeyError, ValueError, IndexError, JsonPointerException):
            msg = "names no earlier JSON body or event of this cassette"
            raise BaseProblem(pointer, msg) from None

    def resolve(self, reference: dict[str, Any]) -> Any:
        """The document behind ``reference``; :class:`BaseProblem` when it cannot be built."""
        name = reference["base"]
        base = self.source(name) if name.startswith("/") else self.pool.parsed(name)
        try:
            return build(base, reference, self.source)
        except BaseProblem:
            raise
        except (ValueError, JsonPointerException, KeyError, IndexError, TypeError) as exc:
            raise BaseProblem(name, f"the changes do not apply to it ({exc})") from None

    def body(self, index: int, stored: dict[str, Any]) -> None:
        """Resolve one response's body in place (``{"string": text}`` again)."""
        body = stored.get("body")
        if is_reference(body):
            doc = self.resolve(body)
            stored["body"] = {"string": render_body(doc)}
            self.bodies[index] = doc

    def event(self, index: int, event: Any) -> Any:
        """One event, resolved and copied out (callers may change it)."""
        if not is_reference(event):
            self.events[index] = event
            return event
        doc = self.events[index] = self.resolve(event)
        return json.loads(render_event(doc))


def resolve_bodies(data: dict[str, Any], pool: BasePool) -> Resolver:
    """Replace every body reference in a parsed cassette by the body's text, in place.

    Returns the resolver, which the events' references need (they name bodies).
    """
    resolver = Resolver(pool)
    for index, interaction in enumerate(data["interactions"]):
        resolver.body(index, interaction["response"])
    return resolver


def resolve_events(resolver: Resolver, events: list[Any]) -> list[Any]:
    """The events a cassette stored, references resolved."""
    return [resolver.event(i, e) for i, e in enumerate(events)]


def resolve_document(data: dict[str, Any], pool: BasePool) -> None:
    """Replace every reference in a parsed cassette by what it stands for, in place."""
    resolver = resolve_bodies(data, pool)
    events = data.get("metadata", {}).get(EVENTS_KEY)
    if isinstance(events, list):
        data["metadata"][EVENTS_KEY] = resolve_events(resolver, events)


def uses_references(data: dict[str, Any]) -> Iterator[str]:
    """Every shared base a parsed cassette refers to."""
    found = [i["response"].get("body") for i in data.get("interactions", [])]
    found += data.get("metadata", {}).get(EVENTS_KEY, [])
    for value in found:
        if is_reference(value) and not value["base"].startswith("/"):
            yield value["base"]


class Encoder:
    """Chooses, for each body and event of one cassette, the base that gives the smallest change set.

    Candidates are the pool's bases of the document's kind and the last few documents of
    that kind earlier in the cassette (a flow reads the same customer again and again).
    """

    def __init__(self, pool: BasePool) -> None:
        self.pool = pool
        self.resolver = Resolver(pool)
        self._earlier: dict[str, list[tuple[str, Any]]] = {}
        self._bodies: dict[bytes, str] = {}  # sorted JSON of a body -> its pointer, for events' data.object

    def _candidates(self, doc: Any) -> list[tuple[int, str, dict[str, Any]]]:
        kind = kind_of(doc)
        found = []
        for name, base in [*self._earlier.get(kind, [])[-_RECENT:], *self.pool.bases(kind)]:
            changes = changes_between(base, doc)
            if changes is not None:
                found.append((len(render_event(changes)), name, changes))
        return sorted(found, key=lambda c: c[:2])[:_TRIES]

    def _reference(self, doc: Any, render: Callable[[Any], Any]) -> dict[str, Any]:
        wanted, size = render(doc), len(render_event(doc))
        for cost, name, changes in self._candidates(doc):
            if cost > NEW_BASE_SHARE * size:
                break
            reference = {"base": name, **changes}
            # through JSON text, as it will be read back: key order is part of what must match
            if render(self.resolver.resolve(json.loads(json.dumps(reference)))) == wanted:
                return reference
        return {"base": self.pool.add(doc), "changes": {}}

    def _remember(self, pointer: str, doc: Any) -> None:
        self._earlier.setdefault(kind_of(doc), []).append((pointer, doc))

    def body(self, index: int, stored: dict[str, Any]) -> None:
        """Store one response's body as a reference, in place, when it is JSON worth sharing."""
        text = (stored.get("body") or {}).get("string")
        if not isinstance(text, str) or len(text) < INLINE_BELOW or text[:1] not in "{[":
            return
        try:
            doc = json.loads(text)
        except ValueError:
            return
        if render_body(doc) != text:
            return  # another layout than render_body's: kept as sent
        stored["body"] = self._reference(doc, render_body)
        self.resolver.bodies[index] = doc
        self._remember(body_pointer(index), doc)
        self._bodies.setdefault(_sorted_json(doc), body_pointer(index))

    def event(self, index: int, event: Any) -> Any:
        """One event, as a reference when it is worth sharing; its ``data.object`` copied from a body when equal."""
        self.resolver.events[index] = event
        if len(render_event(event)) < INLINE_BELOW:
            return event
        data = event.get("data")
        obj = data.get("object") if isinstance(data, dict) else None
        same = self._bodies.get(_sorted_json(obj)) if isinstance(obj, dict) else None
        if same is not None and render_event(self.resolver.source(same)) == render_event(obj):
            reference = {**self._reference({**event, "data": {**data, "object": None}}, render_event),
                         "copied": {"/data/object": same}}
        else:
            reference = self._reference(event, render_event)
        self._remember(event_pointer(index), event)
        return reference


def encode_document(data: dict[str, Any], pool: BasePool) -> dict[str, Any]:
    """A copy of a parsed cassette with every body and event worth sharing stored as a reference.

    Raises :class:`BaseProblem` when the copy would not read back exactly as ``data``.
    """
    encoded = json.loads(json.dumps(data))
    encoder = Encoder(pool)
    for index, interaction in enumerate(encoded["interactions"]):
        encoder.body(index, interaction["response"])
    events = encoded.get("metadata", {}).get(EVENTS_KEY)
    if isinstance(events, list):
        encoded["metadata"][EVENTS_KEY] = [encoder.event(i, e) for i, e in enumerate(events)]
    check = json.loads(json.dumps(encoded))
    resolve_document(check, pool)
    if check != data:
        raise BaseProblem("(this cassette)", "its shared form does not read back as the recording")
    return encoded
