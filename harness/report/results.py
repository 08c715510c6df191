"""Reading the per-cell result files that the pytest plugin writes with ``--stripe-results``.

A report is only as honest as the files it reads, so loading keeps what a verdict must
say besides the outcomes: results of other runs that were left out, a results folder
that does not exist, a run id nothing was written for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..matrix import Cell, Matrix


@dataclass(frozen=True)
class CellResult:
    """One cell's outcome: counts, each scenario's outcome with its reason, and how it was selected."""

    cell: Cell
    passed: int
    failed: int
    skipped: int
    exitstatus: int | None
    scenarios: list[dict[str, Any]]
    errors: int = 0
    not_applicable: int = 0
    collected: int = 0
    selected: int = 0
    selection: dict[str, Any] = field(default_factory=dict)
    #: Under pytest-xdist with -k/-m/--lf the workers' deselections are not counted.
    deselected_unknown: bool = False
    status: str = "ran"
    message: str = ""
    backend: str = "replay"
    run_id: str | None = None
    written_at: str = ""

    @property
    def installed(self) -> bool:
        """False when the cell's virtualenv could not be built, so nothing ran."""
        return self.status != "install_failed"

    @property
    def ok(self) -> bool:
        """Green: installed, pytest exited 0, nothing failed or errored, and a scenario passed (exit 5 is not green)."""
        return self.installed and self.exitstatus == 0 and self.passed > 0 and not self.failed and not self.errors

    @property
    def executed(self) -> int:
        """Scenarios that reached an outcome (the rest were selected but never ran: -x, an interruption)."""
        return self.passed + self.failed + self.errors + self.skipped + self.not_applicable

    @property
    def filter_text(self) -> str:
        """How the scenarios were narrowed, as the user typed it (``-k lazy``), or ``""``."""
        parts = []
        if self.selection.get("keyword"):
            parts.append(f"-k {self.selection['keyword']!r}")
        if self.selection.get("markexpr"):
            parts.append(f"-m {self.selection['markexpr']!r}")
        if self.selection.get("last_failed"):
            parts.append("--lf")
        return " ".join(parts)

    @property
    def failures(self) -> list[dict[str, Any]]:
        """The failed and errored scenarios, each with ``id``, ``outcome`` and ``reason``."""
        return [s for s in self.scenarios if s["outcome"] in ("failed", "error")]


def _parse(data: dict[str, Any]) -> CellResult:
    counts = data["counts"]
    scenarios = data["scenarios"]
    # Format 1 files (before selection was recorded) count what they list.
    collected = int(data.get("collected", len(scenarios)))
    return CellResult(
        Cell(data["stripe"], data["api_version"]),
        int(counts["passed"]), int(counts["failed"]), int(counts["skipped"]), data["exitstatus"], scenarios,
        errors=int(counts.get("error", 0)), not_applicable=int(counts.get("not_applicable", 0)),
        collected=collected, selected=int(data.get("selected", collected)),
        selection=dict(data.get("selection") or {}), status=str(data.get("status", "ran")),
        deselected_unknown="deselected" in data and data["deselected"] is None,
        message=str(data.get("message", "")), backend=str(data.get("backend", "replay")),
        run_id=data.get("run_id"), written_at=str(data.get("written_at", "")),
    )


def read_result(path: Path) -> tuple[CellResult, str | None]:
    """One result file as a :class:`CellResult` and the nox run id that wrote it."""
    try:
        result = _parse(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        msg = f"{path} is not a stripe-compat result file ({exc!r}); delete it or re-run its cell."
        raise ConfigError(msg) from None
    return result, result.run_id


@dataclass(frozen=True)
class Ignored:
    """A result file left out of the verdict because another run wrote it."""

    cell: Cell
    run_id: str | None


@dataclass(frozen=True)
class RunResults:
    """What a results folder holds for one run: each matrix cell's result or None, and what was left out."""

    results: dict[Cell, CellResult | None]
    run_id: str | None = None
    ignored: list[Ignored] = field(default_factory=list)
    #: Why nothing could be read at all (a missing folder), for the verdict to say first.
    problem: str = ""


def _latest_run(found: list[CellResult]) -> str | None:
    """The run id of the most recently written result: what ``report`` means without ``--run-id``."""
    return max(found, key=lambda r: r.written_at).run_id if found else None


def load_run(folder: Path, matrix: Matrix, run_id: str | None = None) -> RunResults:
    """Every matrix cell mapped to its result in ``run_id`` (default: the latest run in the folder).

    Cells found outside the matrix (an upgrade target, a stale file from an older
    matrix) are kept: a report should show what ran, not only what was planned.
    Results of other runs are never mixed in; they are listed as ignored.
    """
    results: dict[Cell, CellResult | None] = dict.fromkeys(matrix.cells)
    if not folder.is_dir():
        return RunResults(results, run_id, problem=f"the results folder {folder} does not exist")
    found = [read_result(path)[0] for path in sorted(folder.glob("*.json"))]
    chosen = run_id or _latest_run(found)
    ignored = []
    for result in found:
        if result.run_id != chosen:
            ignored.append(Ignored(result.cell, result.run_id))
            continue
        results[result.cell] = result
    problem = ""
    if run_id and not any(r.run_id == run_id for r in found):
        runs = sorted({str(r.run_id) for r in found})
        where = "it is empty"
        if runs:
            where = f"runs there: {', '.join(runs[:5])}; a later run may have overwritten its files"
        problem = f"no result of run {run_id} in {folder} ({where})"
    elif not found:
        problem = f"no result file in {folder}"
    return RunResults(results, chosen, ignored, problem)

