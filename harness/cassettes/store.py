"""Where cassettes live, what they say about themselves, and how they are written.

A cassette is a vcrpy cassette file with one extra top-level ``metadata`` entry (vcrpy 9
keeps it): the backend it was recorded against, the stripe-python release, the API
version requested and the one the server answered with, and when; and the events the
scenario caused (``GET /v1/events`` at the end of the recording), for webhook replay.
Events live in the same file so that one atomic write keeps them in step with the
responses that caused them. Replay reads that
metadata to refuse a cassette recorded for another API version, the mistake that lets a
test pass against responses the pinned version would never send.

Cassettes are written with vcrpy's JSON serializer: every matrix cell loads a few dozen
of them, and PyYAML took 0.39 s a cell to do it where ``json`` takes 0.016 s (see
benchmarks/RESULTS.md). YAML cassettes (vcrpy's default) are still read, by suffix.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vcr.request import Request as VcrRequest
from vcr.serialize import deserialize, serialize
from vcr.serializers import jsonserializer, yamlserializer

from ..backends.base import Response
from ..errors import CassetteError

METADATA_KEY = "stripe_compat"
EVENTS_KEY = "stripe_compat_events"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.@-]+")
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

    def to_dict(self) -> dict[str, str]:
        """The mapping written into the cassette file."""
        return asdict(self)


def cassette_path(root: Path, api_version: str, module: Path, test_name: str) -> Path:
    """``root/<api_version>/<module stem>/<test name>.json``.

    Built from the test's file and name, not its node id: a node id is relative to the
    rootdir, and scenarios installed in site-packages sit outside an adopter's rootdir.
    """
    return root / api_version / module.stem / f"{_UNSAFE.sub('_', test_name).strip('_')}.json"


def _serializer(path: Path) -> Any:
    try:
        return _SERIALIZERS[path.suffix]
    except KeyError:
        msg = f"{path}: a cassette file ends in .json or .yaml (vcrpy's serializers), not {path.suffix or 'nothing'}"
        raise CassetteError(msg) from None


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
    events: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> CassetteFile:
        """Load ``path``; a damaged file is an error, never an empty cassette."""
        serializer = _serializer(path)
        text = path.read_text("utf-8")
        try:
            requests, responses, *extra = deserialize(text, serializer)
        except Exception as exc:
            msg = f"Cassette {path} cannot be read ({exc}). Restore it from git or re-record it."
            raise CassetteError(msg) from exc
        meta = extra[0].get(METADATA_KEY) if extra else None
        return cls(
            list(zip(requests, responses, strict=True)),
            CassetteMetadata.from_dict(meta) if meta else None,
            list(extra[0].get(EVENTS_KEY) or []) if extra else [],
        )

    def write(self, path: Path) -> None:
        """Write atomically: a crash or error mid-write leaves the previous file intact."""
        data: dict[str, Any] = {
            "requests": [req for req, _ in self.interactions],
            "responses": [resp for _, resp in self.interactions],
        }
        if self.metadata:
            data["metadata"] = {METADATA_KEY: self.metadata.to_dict()}
        if self.events:
            data.setdefault("metadata", {})[EVENTS_KEY] = self.events
        text = serialize(data, _serializer(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp creates 0600; a cassette is a normal project file, so keep the old file's mode.
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            os.fchmod(fd, mode)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
