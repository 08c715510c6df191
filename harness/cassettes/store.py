"""Where cassettes live, what they say about themselves, and how they are written.

A cassette is a vcrpy cassette file with one extra top-level ``metadata`` entry (vcrpy 9
keeps it): the backend it was recorded against, the stripe-python release, the API
version requested and the one the server answered with, and when; and the events the
scenario caused (``GET /v1/events`` at the end of the recording), for webhook replay.
Events live in the same file so that one atomic write keeps them in step with the
responses that caused them. Replay reads that
metadata to refuse a cassette recorded for another API version, the mistake that lets a
test pass against responses the pinned version would never send.

Cassettes are vcrpy JSON cassettes: every matrix cell loads a few dozen of them, and
PyYAML took 0.39 s a cell to do it where ``json`` takes 0.016 s (see benchmarks/RESULTS.md).
YAML cassettes (vcrpy's default) are still read, by suffix. A JSON cassette is written one
interaction per line (:mod:`.layout`), its JSON bodies and events stored against the shared
bases of its API version folder (:mod:`.references`, :mod:`.shared`); reading resolves them,
so every reader sees the recording exactly as it was made. Cassettes written before the
shared form (full bodies, indented by four) read exactly as they always did.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import MISSING, asdict, dataclass, field
from pathlib import Path
from typing import Any

from vcr.request import Request as VcrRequest
from vcr.serialize import deserialize, serialize
from vcr.serializers import jsonserializer, yamlserializer

from ..backends.base import Response
from ..config import rerecord_command
from ..errors import CassetteError, DamagedCassette, MissingBase
from ..matrix import is_api_version
from .atomic import replace_file
from .layout import cassette_text
from .references import EVENTS_KEY, Resolver, encode_document, resolve_bodies, resolve_document, resolve_events
from .shape import kind, shape_problem
from .shared import SHARED_DIR, BasePool, BaseProblem, MissingBaseFile

METADATA_KEY = "stripe_compat"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.@-]+")
#: ``.<cassette name>.<writer pid>.<random>.tmp``; files from before the pid was added have none.
_TEMP = re.compile(r"^\.(?P<name>.+?)\.(?:(?P<pid>\d+)\.)?[A-Za-z0-9_]+\.tmp$")
_SERIALIZERS = {".json": jsonserializer, ".yaml": yamlserializer, ".yml": yamlserializer}


@dataclass(frozen=True)
class CassetteMetadata:
    """What a cassette says about how it was made."""

    backend: str
    stripe_python: str
    api_version_requested: str
    api_version_answered: str
    recorded_at: str
    scenario: str
    #: How the scenario ended while recording, and why (its failure's first line), so that
    #: a failing integration's cassette says what replaying it will show.
    outcome: str = "passed"
    reason: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CassetteMetadata:
        """Read metadata written by :meth:`to_dict` (unknown keys are ignored)."""
        fields = cls.__dataclass_fields__
        return cls(**{k: str(v) for k, v in data.items() if k in fields})

    @classmethod
    def problem(cls, data: Any) -> str | None:
        """Why ``data`` is not metadata :meth:`from_dict` can read, or None."""
        if not isinstance(data, dict):
            return f"metadata.{METADATA_KEY} is {kind(data)}, not a mapping"
        for name, spec in cls.__dataclass_fields__.items():
            if name not in data and spec.default is not MISSING:
                continue  # written by an older harness, before the field existed
            # YAML reads an unquoted 2024-06-20 as a date: any scalar is fine, str() makes it text.
            if data.get(name) is None or isinstance(data[name], dict | list | bool):
                found = "missing" if name not in data else kind(data[name])
                return f"metadata.{METADATA_KEY}.{name} is {found}, not a string"
        return None

    def to_dict(self) -> dict[str, str]:
        """The mapping written into the cassette file."""
        return asdict(self)


def cassette_path(root: Path, api_version: str, module: Path, test_name: str) -> Path:
    """``root/<api_version>/<module stem>/<test name>.json``.

    Built from the test's file and name, not its node id: a node id is relative to the
    rootdir, and scenarios installed in site-packages sit outside an adopter's rootdir.
    """
    return root / api_version / module.stem / f"{_UNSAFE.sub('_', test_name).strip('_')}.json"


def _rerecord_advice(path: Path) -> str:
    api_version, scenario = path.parent.parent.name, path.stem
    if is_api_version(api_version):
        return f"re-record it: {rerecord_command(api_version, scenario)}"
    return "re-record the scenario it belongs to"


def restore_advice(path: Path) -> str:
    """How to get a good copy of the cassette at ``path`` back: git, or the command that re-records it."""
    return f"Restore it from git (git checkout -- {path}) or {_rerecord_advice(path)}."


def shared_folder(path: Path) -> Path:
    """Where the bases of the cassette at ``path`` live: ``<api version folder>/_shared``."""
    return path.parent.parent / SHARED_DIR


def cassette_files(folder: Path) -> list[Path]:
    """The cassettes under ``folder`` (or ``folder`` itself): JSON and YAML files, not the shared bases."""
    if folder.is_file():
        return [folder]
    found = (p for p in folder.rglob("*") if p.suffix in _SERIALIZERS and not p.name.startswith("."))
    return sorted(p for p in found if SHARED_DIR not in p.relative_to(folder).parts and p.is_file())


def _base_problem(path: Path, problem: BaseProblem) -> DamagedCassette:
    shared = shared_folder(path)
    if isinstance(problem, MissingBaseFile):
        return MissingBase(
            path,
            f"it refers to the shared base {problem.base}, which is not in {shared}",
            f"Restore it from git (git checkout -- {shared / problem.base}) or {_rerecord_advice(path)}. "
            "A cassette copied out of its API version folder needs that folder's _shared/ beside it: "
            "compare whole folders (stripe-compat cassettes diff OLD_FOLDER NEW_FOLDER).",
        )
    # the cassette or the base it names may be the damaged one: restore both
    files = f"{path} {shared / problem.base}" if problem.base.endswith(".json") else str(path)
    return DamagedCassette(
        path,
        f"its reference to {problem.base} cannot be resolved: {problem.problem}",
        f"Restore it from git (git checkout -- {files}) or {_rerecord_advice(path)}.",
    )


def resolve_references(data: dict[str, Any], path: Path) -> None:
    """Replace the shared-form references of the parsed cassette at ``path`` by what they stand for, in place."""
    try:
        resolve_document(data, BasePool(shared_folder(path)))
    except BaseProblem as problem:
        raise _base_problem(path, problem) from None


def _events_later(path: Path, resolver: Resolver, stored: list[Any]) -> Callable[[], list[dict[str, Any]]]:
    def resolve() -> list[dict[str, Any]]:
        try:
            return resolve_events(resolver, stored)
        except BaseProblem as problem:
            raise _base_problem(path, problem) from None

    return resolve


class _Parsed:
    """A vcrpy serializer over a document already parsed (and checked), so it is parsed once."""

    @staticmethod
    def deserialize(data: Any) -> Any:
        return data


class _Unparsed:
    """A vcrpy serializer that hands back the document instead of text, for the store to lay out."""

    @staticmethod
    def serialize(data: Any) -> Any:
        return data


def _serializer(path: Path) -> Any:
    try:
        return _SERIALIZERS[path.suffix]
    except KeyError:
        msg = f"{path}: a cassette file ends in .json or .yaml (vcrpy's serializers), not {path.suffix or 'nothing'}"
        raise CassetteError(msg) from None


def _stripe_version(stored: dict[str, Any]) -> str | None:
    for name, values in stored.get("headers", {}).items():
        if name.lower() == "stripe-version" and values:
            return str(values[-1])
    return None


def _asked(request: Any) -> str | None:
    """The ``Stripe-Version`` a recorded request named, if the recorder kept one."""
    for name, value in (request.headers or {}).items():
        if name.lower() == "stripe-version":
            return str(value[-1] if isinstance(value, list) else value)
    return None


def from_vcr_response(stored: dict[str, Any]) -> Response:
    """A stored vcrpy response as a harness response."""
    headers = {name: values[-1] for name, values in stored.get("headers", {}).items() if values}
    body = stored.get("body", {}).get("string", b"")
    if isinstance(body, str):
        body = body.encode("utf-8")
    return Response(int(stored["status"]["code"]), headers, body)


@dataclass
class CassetteFile:
    """A cassette's interactions, metadata and events (oldest first), read or about to be written."""

    interactions: list[tuple[VcrRequest, dict[str, Any]]]
    metadata: CassetteMetadata | None
    #: The events, or what resolves them when first asked for: replay reads every body but no event.
    stored_events: list[dict[str, Any]] | Callable[[], list[dict[str, Any]]] = field(default_factory=list, repr=False)

    @property
    def events(self) -> list[dict[str, Any]]:
        """The events the scenario caused, oldest first; a damaged reference among them raises DamagedCassette."""
        if callable(self.stored_events):
            self.stored_events = self.stored_events()
        return self.stored_events

    @classmethod
    def read(cls, path: Path) -> CassetteFile:
        """Load ``path``; a damaged file is one error naming the damage and the fix, never an empty cassette."""
        _serializer(path)
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            raise CassetteError(f"Cannot read cassette {path}: {exc.strerror}.") from None
        except UnicodeDecodeError as exc:
            problem = f"byte {exc.start} is not UTF-8 text ({exc.reason})"
            raise DamagedCassette(path, problem, restore_advice(path)) from None
        return cls.parse(path, text)

    @classmethod
    def parse(cls, path: Path, text: str) -> CassetteFile:
        """The cassette ``text`` holds, as if read from ``path`` (whose folder's shared bases it may use)."""
        serializer = _serializer(path)
        fix = restore_advice(path)
        try:
            data = serializer.deserialize(text)
        except Exception as exc:  # each serializer raises its own parse error
            raise DamagedCassette(path, f"it cannot be read ({exc})", fix) from None
        if problem := shape_problem(data):
            raise DamagedCassette(path, problem, fix)
        own, events = data.get("metadata", {}).get(METADATA_KEY), data.get("metadata", {}).get(EVENTS_KEY, [])
        if own is not None and (problem := CassetteMetadata.problem(own)):
            raise DamagedCassette(path, problem, fix)
        if not (isinstance(events, list) and all(isinstance(e, dict) for e in events)):
            raise DamagedCassette(path, f"metadata.{EVENTS_KEY} is {kind(events)}, not a list of events", fix)
        try:
            resolver = resolve_bodies(data, BasePool(shared_folder(path)))
        except BaseProblem as problem:
            raise _base_problem(path, problem) from None
        requests, responses, *_ = deserialize(data, _Parsed)
        return cls(
            list(zip(requests, responses, strict=True)),
            CassetteMetadata.from_dict(own) if own else None,
            _events_later(path, resolver, events),
        )

    def check_api_version(self, path: Path, api_version: str, rerecord_hint: str) -> None:
        """Refuse a cassette recorded at another API version than the run pins.

        The metadata says what was asked for; every response's ``Stripe-Version`` says what
        Stripe rendered. Both must be the pinned version, so a cassette whose metadata was
        lost or edited still cannot replay responses the pinned version would never send.
        """
        # A request that named a version itself (kept by the recorder) was answered in it by design.
        answered = sorted(
            {v for req, stored in self.interactions if (v := _stripe_version(stored)) and v != _asked(req)}
        )
        claimed = [self.metadata.api_version_requested] if self.metadata else []
        wrong = sorted({v for v in [*claimed, *answered] if v != api_version})
        if not claimed and not answered:
            problem = "has no metadata and no Stripe-Version header: nothing says which API version it is for"
        elif wrong:
            source = "its metadata and responses" if claimed else "its responses' Stripe-Version (it has no metadata)"
            problem = f"says by {source} that it was recorded for API version {', '.join(wrong)}"
        else:
            return
        msg = (
            f"Cassette {path} {problem}, but this run pins {api_version}. Replaying it would test "
            f"responses {api_version} never sends. Re-record it: {rerecord_hint}"
        )
        raise CassetteError(msg)

    def write(self, path: Path) -> None:
        """Write atomically: a crash or error mid-write leaves the previous file intact."""
        replace_file(path, self.text(path))

    def text(self, path: Path, pool: BasePool | None = None) -> str:
        """The file text of this cassette at ``path``: for JSON, the shared form over ``pool``'s bases.

        ``pool`` defaults to every base in the folder. Should the shared form not read back
        exactly as the recording (a damaged base in the way), every body is written in full.
        """
        data: dict[str, Any] = {
            "requests": [req for req, _ in self.interactions],
            "responses": [resp for _, resp in self.interactions],
        }
        if self.metadata:
            data["metadata"] = {METADATA_KEY: self.metadata.to_dict()}
        if self.events:
            data.setdefault("metadata", {})[EVENTS_KEY] = self.events
        serializer = _serializer(path)
        if serializer is not jsonserializer:
            return str(serialize(data, serializer))
        plain = serialize(data, _Unparsed)
        try:
            shared = encode_document(plain, pool or BasePool(shared_folder(path)))
        except BaseProblem:
            shared = plain
        return cassette_text(shared)


def temp_files(root: Path) -> list[Path]:
    """Temporary files of cassette writes under ``root``, finished or not."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob(".*.tmp") if _TEMP.match(p.name) and p.is_file())


def _writer_alive(path: Path) -> bool:
    match = _TEMP.match(path.name)
    if match is None or match["pid"] is None:
        return False
    try:
        os.kill(int(match["pid"]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_temp_files(root: Path) -> list[Path]:
    """Delete the temporary files of writes whose process died mid-write (SIGKILL, power loss).

    A write still in progress (its writer alive) is left alone, so parallel recordings are safe.
    """
    stale = [path for path in temp_files(root) if not _writer_alive(path)]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale
