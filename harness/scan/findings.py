"""What the scan reports: one finding per use of something the upgrade changes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Confidence(StrEnum):
    """How the scan knows the receiver is a Stripe object of that type."""

    CERTAIN = "certain"  # assigned from a Stripe call, class or webhook parser the scan followed
    LIKELY = "likely"  # the result of a helper that was handed a Stripe method (a ``_call(stripe.X.list)`` wrapper)
    NAME = "name"  # only its name says so (``def handle(invoice): ...``)


@dataclass(frozen=True)
class Finding:
    """One line of code that the upgrade breaks or changes, what changes, and the fix."""

    path: Path
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    rule: str  # ``library:<break id>`` or ``api:<object>.<field>``
    what: str
    changed_in: str  # ``stripe 15.0.0`` or ``API 2025-03-31.basil``
    fix: str
    confidence: Confidence
    severity: str  # ``error`` breaks, ``warning`` changes behaviour or is deprecated, ``note`` byte-level only
    source: str

    def as_json(self, root: Path | None = None) -> dict[str, Any]:
        """Plain data; paths relative to ``root`` when given."""
        data = asdict(self)
        data["path"] = _relative(self.path, root)
        data["confidence"] = str(self.confidence)
        return data


@dataclass
class ScanResult:
    """Every finding of one scan, the files read, and the files that could not be parsed."""

    source: str
    target: str
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    #: The API versions named (library-default resolved), and the ones the code really moves between
    #: (an unpinned integration follows the library's pin).
    named_api: tuple[str, str] | None = None
    effective_api: tuple[str, str] | None = None

    @property
    def breaks(self) -> list[Finding]:
        """Findings that fail at run time (not warnings)."""
        return [f for f in self.findings if f.severity == "error"]


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()
