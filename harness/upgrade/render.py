"""The upgrade check's output: the target's breaks, the way back's, and the API contract changes."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..contracts.diff import DiffRow, as_json, as_table
from ..matrix import Cell
from ..report.results import CellResult
from ..scan.findings import Finding, ScanResult
from ..scan.render import finding_lines
from .causes import KnownCause
from .compare import Break

_KNOCK_ON = "knock-on failures"
_KNOCK_ON_MEANS = ("each repeats a request the cassette already answered, because an earlier step of the same "
                   "scenario failed (often silently); not a cause: fix the others and run again")


@dataclass(frozen=True)
class CellCheck:
    """One checked cell, why it was checked, and what broke there."""

    cell: Cell
    role: str
    result: CellResult
    breaks: list[Break]


def _cell_text(check: CellCheck) -> list[str]:
    """The cell's verdict, then its breaks grouped by known cause: one cause usually explains many."""
    r = check.result
    verdict = "SAFE" if not check.breaks else f"{len(check.breaks)} BREAK(S)"
    lines = [f"{check.role} {check.cell.id}: {verdict} ({r.passed} passed, {r.failed} failed, {r.skipped} skipped)"]
    groups: dict[KnownCause | str | None, list[Break]] = {}
    for b in sorted(check.breaks, key=lambda b: b.knock_on):  # knock-ons last: they follow from the rest
        groups.setdefault(_KNOCK_ON if b.knock_on else b.cause, []).append(b)
    for cause, breaks in groups.items():
        count = f"{len(breaks)} scenario{'s' if len(breaks) > 1 else ''}"
        if cause is None:
            lines.append(f"  no known cause ({count}):")
        elif isinstance(cause, str):
            lines.append(f"  {cause} ({count}): {_KNOCK_ON_MEANS}")
        else:
            lines += [f"  known cause ({count}): {cause.explanation}", f"      source: {cause.source}"]
        for b in breaks:
            tag = " (already failing before)" if b.already_failing else ""
            # Reasons are whole now (the request, the nearest recording, the fix): keep them indented.
            lines += [f"    [{b.kind}]{tag} {b.scenario}", textwrap.indent(b.reason, " " * 8)]
    return lines


def _unrun_text(unrun: ScanResult | str, root: Path) -> list[str]:
    """The scan's findings, under their own heading: the scenarios cannot vouch for this code."""
    if isinstance(unrun, str):
        return [f"also in code the scenarios do not run: not scanned: {unrun}"]
    head = (f"also in code the scenarios do not run: {len(unrun.breaks)} break(s), "
            f"{len(unrun.findings) - len(unrun.breaks)} warning(s) in {unrun.files} file(s) (stripe-compat scan)")
    lines = [head]
    for finding in unrun.findings:
        lines += finding_lines(finding, root, indent="  ")
    return lines


def _scan_breaks(unrun: ScanResult | str) -> list[Finding]:
    return unrun.breaks if isinstance(unrun, ScanResult) else []


def render_text(source: CellCheck, checks: list[CellCheck], diff: list[DiffRow], unrun: ScanResult | str,
                root: Path) -> str:
    """Human output: a verdict line, each cell's breaks with known causes, the scan's findings, the diff.

    ``unrun`` is the scan of the adapter's package, or why it could not be scanned.
    """
    broken = [c for c in checks if c.breaks]
    if not broken and not _scan_breaks(unrun):
        verdict = "SAFE: every scenario passes and the scan finds no break."
    elif not broken:
        verdict = "BREAKS: every scenario passes, but code they do not run breaks (see below)."
    else:
        verdict = "BREAKS: see below."
    lines = [f"UPGRADE {source.cell.id} -> {checks[0].cell.id}: {verdict}", "", *_cell_text(source)]
    for check in checks:
        lines += ["", *_cell_text(check)]
    lines += ["", *_unrun_text(unrun, root), ""]
    if source.cell.api_version == checks[0].cell.api_version:
        lines.append("Same API version: no contract changes.")
    elif diff:
        reads = sum(row.used_by_integration for row in diff)
        lines.append(f"API contract changes {source.cell.api_version} -> {checks[0].cell.api_version} "
                     f"({len(diff)} field changes, {reads} in fields the consumer contracts read):")
        lines.append(as_table(diff))
    else:
        lines.append("No field changes between the two API versions.")
    return "\n".join(lines)


def _check_json(check: CellCheck) -> dict[str, Any]:
    return {
        "cell": check.cell.id,
        "role": check.role,
        "passed": check.result.passed,
        "failed": check.result.failed,
        "breaks": [
            {
                "scenario": b.scenario, "kind": b.kind, "reason": b.reason, "already_failing": b.already_failing,
                "knock_on": b.knock_on,
                "known_cause": {"explanation": b.cause.explanation, "source": b.cause.source} if b.cause else None,
            }
            for b in check.breaks
        ],
    }


def render_json(source: CellCheck, checks: list[CellCheck], diff: list[DiffRow], unrun: ScanResult | str,
                root: Path) -> dict[str, Any]:
    """The same as plain data, for pipelines that post it somewhere."""
    return {
        "safe": not any(c.breaks for c in checks) and not _scan_breaks(unrun),
        "from": _check_json(source),
        "checks": [_check_json(c) for c in checks],
        "not_run_by_scenarios": (
            [f.as_json(root) for f in unrun.findings] if isinstance(unrun, ScanResult) else {"not_scanned": unrun}
        ),
        "contract_changes": as_json(diff),
    }
