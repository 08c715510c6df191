"""What breaks in a target cell: each failing scenario, what kind of failure, and its known cause."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..report.results import CellResult
from ..report.verdict import failure_rows
from ..rules import RULES
from .causes import KnownCause, explain, is_knock_on

_EXCEPTION = re.compile(r"^(?:[\w.]+\.)?\w+(?:Error|Exception|Exit)\b")
#: How the plugin shows an exception the integration raised (harness.rules.IntegrationRaised).
_INTEGRATION_RAISED = re.compile(r"^step .+?: the integration raised ")


@dataclass(frozen=True)
class Break:
    """One scenario that fails in the target cell."""

    scenario: str
    kind: str
    reason: str
    cause: KnownCause | None
    already_failing: bool  # it failed in the from-cell too: not new, but the target is still not safe
    knock_on: bool = False  # it repeated a request an earlier failure left answered: not a cause itself


def classify(reason: str) -> str:
    """contract violation, no recorded response, library exception, broken rule or assertion, from the first line.

    The plugin puts contract violations and cassette misses first (they are usually the
    cause of what the scenario raised next), so the start of the reason is enough; the
    rest of a whole reason (what followed, ``and so: ...``) does not change its kind.
    """
    reason = reason.split("\n", 1)[0]
    if "contract violation" in reason:
        return "contract violation"
    if "No recorded response" in reason:
        return "no recorded response"
    if _INTEGRATION_RAISED.match(reason):
        return "library exception"
    if _EXCEPTION.match(reason.removeprefix("Failed: ")) and not reason.startswith(("AssertionError", "assert")):
        return "library exception"
    if reason.partition(":")[0] in RULES:
        return "broken rule"
    return "assertion"


def breaks(before: CellResult | None, after: CellResult) -> list[Break]:
    """Every failure of ``after``, marked when the same scenario already failed in ``before``.

    Causes are looked up in the whole reason (every line the scenario left), among the
    causes that can differ between the two cells.
    """
    failing_before = {row["id"] for row in failure_rows(before)} if before else set()
    found = []
    for row in failure_rows(after):
        text = row["reason"]
        cause = explain(text, source=before.cell if before else None, target=after.cell)
        found.append(Break(
            row["id"], classify(row["reason"]), row["reason"], cause, row["id"] in failing_before,
            knock_on=cause is None and is_knock_on(text),
        ))
    return found
