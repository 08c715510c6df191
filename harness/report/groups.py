"""Failures grouped by what explains them: one known cause or broken rule, stated once.

A library change usually breaks many scenarios in many cells the same way (26 copies
of "StripeObject is no longer a dict"); listing each is noise that hides the second
cause. A failure matching ``harness/upgrade/known_causes.json`` is grouped under that
cause; any other under its first line, which names the broken rule (the contract
path, the missing recording, the assertion).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..upgrade.causes import KnownCause, explain
from .verdict import Verdict, failure_rows, first_line


@dataclass(frozen=True)
class Failure:
    """One failed (or errored) scenario in one cell, with its full reason."""

    cell: str
    scenario: str
    outcome: str
    reason: str


@dataclass
class FailureGroup:
    """Failures sharing a cause: the cause once, then which scenarios and cells it explains."""

    title: str
    cause: KnownCause | None
    failures: list[Failure] = field(default_factory=list)

    @property
    def cells(self) -> list[str]:
        """The cells this cause breaks, in report order."""
        return list(dict.fromkeys(f.cell for f in self.failures))

    @property
    def scenarios(self) -> list[str]:
        """The scenarios this cause breaks, each once."""
        return list(dict.fromkeys(f.scenario for f in self.failures))


def group_failures(verdict: Verdict) -> list[FailureGroup]:
    """Every failure of the run, grouped; the group explaining most failures comes first."""
    groups: dict[str, FailureGroup] = {}
    for result in verdict.ran:
        for row in failure_rows(result):
            cause = explain(row["reason"])
            title = cause.explanation if cause else first_line(row["reason"]) or "(no reason given)"
            group = groups.setdefault(title, FailureGroup(title, cause))
            group.failures.append(Failure(result.cell.id, row["id"], row["outcome"], row["reason"]))
    return sorted(groups.values(), key=lambda g: -len(g.failures))
