"""Known causes of upgrade breaks, and the one table of stripe-python's breaking changes.

``known_causes.json`` holds, for each breaking change of the library, the releases it
affects, its changelog source, the failure texts that identify it at run time (what
``upgrade`` matches scenario failures against) and the code patterns that use it (what
``scan`` looks for). API-version causes come from the version-change catalogue: a field
that a version removed or moved is the known cause of the ``KeyError``/``AttributeError``
its readers raise. Kept as data so a team adds the break it just diagnosed in a few lines
of JSON, and both the dynamic and the static check learn it at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from ..contracts.catalogue import is_version, load_catalogue, version_key
from ..contracts.registry import resolve_contracts_dir
from ..errors import ConfigError
from ..matrix import Cell

DATA = Path(__file__).with_name("known_causes.json")
#: What a scenario shows when it repeats a request the cassette already answered.
_REPEATED = re.compile(r"\(already played\)")


@dataclass(frozen=True)
class CodePattern:
    """One way code uses a library break: ``kind`` says which, ``names`` what to look for."""

    kind: str
    names: tuple[str, ...] = ()
    service: str | None = None


@dataclass(frozen=True)
class LibraryBreak:
    """One breaking change of stripe-python: where it applies, why, and how to recognise it."""

    id: str
    release: str
    affects: SpecifierSet
    severity: str
    title: str
    explanation: str
    fix: str
    source: str
    failures: tuple[re.Pattern[str], ...]
    code: tuple[CodePattern, ...]
    pins: tuple[tuple[Version, str], ...] = ()

    def broken_on(self, release: str) -> bool:
        """True when code using this break fails (or changes behaviour) on ``release``."""
        return self.affects.contains(release, prereleases=True)

    def breaks_between(self, source: str, target: str) -> bool:
        """True when moving from ``source`` to ``target`` starts meeting this break."""
        return self.broken_on(target) and not self.broken_on(source)

    def pinned_version(self, release: str) -> str | None:
        """The API version ``release`` sends when the code pins none (None before 6.0: the account's)."""
        found = [api for rel, api in self.pins if rel <= Version(release)]
        return found[-1] if found else None


@dataclass(frozen=True)
class KnownCause:
    """Failure-text patterns, what they mean, where that is documented, and when it can apply.

    ``kind`` is ``library`` (a stripe release: ``release``), ``api`` (an API version:
    ``version``) or ``harness`` (the tool's own diagnosis, such as a cassette miss).
    """

    patterns: tuple[re.Pattern[str], ...]
    explanation: str
    source: str
    kind: str
    release: str | None = None
    version: str | None = None
    library_break: LibraryBreak | None = field(default=None, compare=False, hash=False)

    def search(self, text: str) -> int | None:
        """Where in ``text`` the earliest of this cause's patterns matches, if any."""
        hits = [m.start() for p in self.patterns if (m := p.search(text))]
        return min(hits) if hits else None

    def applies(self, source: Cell | None, target: Cell | None) -> bool:
        """Whether this cause can explain a failure of ``target`` (that ``source``, when given, did not have)."""
        if target is None:
            return True
        if self.library_break is not None:
            if source is None:
                return self.library_break.broken_on(target.stripe)
            return self.library_break.breaks_between(source.stripe, target.stripe)
        if self.version is None or not is_version(target.api_version):  # library-default: not known here
            return True
        if source is None or not is_version(source.api_version):
            return version_key(target.api_version) >= version_key(self.version)
        low, high = sorted((source.api_version, target.api_version), key=version_key)
        return version_key(low) < version_key(self.version) <= version_key(high)


def _patterns(raw: list[str], where: str) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(p) for p in raw)
    except re.error as exc:
        raise ConfigError(f"{where}: bad failure pattern ({exc}); fix {DATA}") from None


def _library_break(raw: dict[str, Any]) -> LibraryBreak:
    where = f"{DATA}: library break {raw.get('id')!r}"
    try:
        return LibraryBreak(
            id=raw["id"], release=raw["release"], affects=SpecifierSet(raw["affects"]), severity=raw["severity"],
            title=raw["title"], explanation=raw["explanation"], fix=raw["fix"], source=raw["source"],
            failures=_patterns(raw["failures"], where),
            code=tuple(CodePattern(c["kind"], tuple(c.get("names", ())), c.get("service")) for c in raw["code"]),
            pins=tuple(sorted((Version(k), v) for k, v in raw.get("pins", {}).items())),
        )
    except (KeyError, ValueError) as exc:
        raise ConfigError(f"{where} is incomplete or malformed ({exc!r}); compare it with the other entries") from None


@cache
def library_breaks(path: Path = DATA) -> tuple[LibraryBreak, ...]:
    """Every breaking change of stripe-python the harness knows, in file order."""
    return tuple(_library_break(entry) for entry in json.loads(path.read_text())["library"])


def _catalogue_causes(contracts_dir: Path | None) -> list[KnownCause]:
    """A removed or moved field is the cause of the errors its readers raise, in every release's wording."""
    causes = []
    for release in load_catalogue(resolve_contracts_dir(contracts_dir)):
        for change in release.changes:
            if change.change not in ("removed", "moved"):
                continue
            name = re.escape(change.path.split(".")[0])
            what = f"moved to {change.to}" if change.change == "moved" else "was removed"
            note = f"; {change.note}" if change.note else ""
            patterns = (
                rf"KeyError: '{name}'",  # obj["field"]
                rf"AttributeError: {name}\s*$",  # obj.field, stripe <= 14.0.0
                rf"'{name}' attribute is no longer available on",  # obj.field, 14.0.1+ for some fields
                rf"contract violation.*\$\.{name}\b",
            )
            causes.append(KnownCause(
                tuple(re.compile(p, re.MULTILINE) for p in patterns),
                f"{change.object}.{change.path} {what} in API version {release.version}{note}.",
                change.source, "api", version=release.version,
            ))
    return causes


@cache
def load_causes(path: Path = DATA, contracts_dir: Path | None = None) -> tuple[KnownCause, ...]:
    """Every known cause: library breaks, then API-version changes, then the harness's own diagnoses."""
    data = json.loads(path.read_text())
    library = [
        KnownCause(b.failures, f"{b.explanation} Fix: {b.fix}.", b.source, "library", release=b.release,
                   library_break=b)
        for b in library_breaks(path) if b.failures
    ]
    api = [
        KnownCause(_patterns(e["failures"], f"{path}: {e['id']}"), e["explanation"], e["source"], "api",
                   version=e["version"])
        for e in data["api"]
    ]
    harness = [
        KnownCause(_patterns(e["failures"], f"{path}: {e['id']}"), e["explanation"], e["source"], "harness")
        for e in data["harness"]
    ]
    return (*library, *api, *_catalogue_causes(contracts_dir), *harness)


def is_knock_on(text: str) -> bool:
    """A scenario that repeats a request the cassette already answered failed earlier: this is its echo."""
    return bool(_REPEATED.search(text))


def explain(
    reason: str, causes: tuple[KnownCause, ...] | None = None, *, source: Cell | None = None,
    target: Cell | None = None,
) -> KnownCause | None:
    """The known cause of a failure, from all the text the scenario left (first line and detail).

    A library or API cause anywhere in the text wins over the harness's own diagnosis: a
    cassette miss next to ``'get' is a dict method`` is what the break led to, not why.
    Among causes of one kind the earliest in the text wins (it happened first). A cassette
    miss that only repeats an answered request is a knock-on of an earlier failure and is
    not filed as a cause.
    """
    found = []
    for rank, cause in enumerate(causes or load_causes()):
        if not cause.applies(source, target):
            continue
        at = cause.search(reason)
        if at is not None:
            found.append((cause.kind == "harness", at, rank, cause))
    if not found:
        return None
    best = min(found, key=lambda hit: hit[:3])[3]
    if best.kind == "harness" and is_knock_on(reason):
        return None
    return best


def library_cause(text: str) -> KnownCause | None:
    """The library break ``text`` shows, if it shows one (an import error inside stripe, a removed name)."""
    cause = explain(text)
    return cause if cause is not None and cause.kind == "library" else None
