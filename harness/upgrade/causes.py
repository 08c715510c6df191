"""Known causes of upgrade breaks: a failure reason matched against ``known_causes.json``.

Kept as data, not code, so a team adds the cause of the break it just diagnosed in one
line of JSON, and the next team to hit it is told the fix instead of rediscovering it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("known_causes.json")


@dataclass(frozen=True)
class KnownCause:
    """A regular expression over failure reasons, what it means, and where that is documented."""

    pattern: re.Pattern[str]
    explanation: str
    source: str


@cache
def load_causes(path: Path = DATA) -> tuple[KnownCause, ...]:
    """Every known cause, in file order (the first match wins, so put specific patterns first)."""
    return tuple(
        KnownCause(re.compile(entry["pattern"]), entry["explanation"], entry["source"])
        for entry in json.loads(path.read_text())
    )


def explain(reason: str, causes: tuple[KnownCause, ...] | None = None) -> KnownCause | None:
    """The first known cause whose pattern occurs in ``reason``, if any."""
    return next((c for c in (causes or load_causes()) if c.pattern.search(reason)), None)
