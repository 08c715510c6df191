"""The matrix verdict every report format renders: which cells ran, which are green, what is missing.

One place computes it so the terminal table, Markdown, JSON, JUnit and HTML can never
disagree about what "green" means. Green is a strong claim: every cell of the matrix
ran in this run, with every scenario selected, and none failed. Anything less is
reported as exactly what is missing (cells not run, cells that could not install,
filtered or stopped runs, results of other runs left out), never as green.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..matrix import Cell, Matrix
from .results import CellResult, Ignored, RunResults


def first_line(text: str) -> str:
    """The first non-empty line of a reason, for one-line formats."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def squeezed(text: str, limit: int = 400) -> str:
    """A multi-line message (an installer's) on one line, whitespace collapsed, for a gap sentence."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def failure_rows(result: CellResult) -> list[dict[str, str]]:
    """Why a cell is red, one ``{id, outcome, reason}`` per failed or errored scenario.

    A red cell with no failed scenario (an install failure, a collection error, a
    crash, exit 5 with no test) still gets one row, so no format can show red without
    a reason.
    """
    rows = [{"id": s["id"], "outcome": s["outcome"], "reason": s["reason"]} for s in result.failures]
    if not result.installed:
        rows.append({"id": "(cell)", "outcome": "error", "reason": f"could not install: {result.message}"})
    elif not rows and not result.ok:
        hint = "no scenario ran" if result.passed == 0 else "see the cell's log"
        rows.append({"id": "(cell)", "outcome": "error", "reason": f"pytest exited {result.exitstatus}: {hint}"})
    return rows


class Status(StrEnum):
    """A cell's state in the report; :data:`WORDS` is how every format writes it."""

    PASS = "pass"
    FAIL = "fail"
    PARTIAL = "partial"
    NO_INSTALL = "install failed"
    NOT_RUN = "not run"


WORDS = {
    Status.PASS: "PASS", Status.FAIL: "FAIL", Status.PARTIAL: "PARTIAL",
    Status.NO_INSTALL: "NO INSTALL", Status.NOT_RUN: "NOT RUN",
}


def _listed(items: list[str], limit: int = 5) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class Verdict:
    """The results of one run laid over the matrix."""

    matrix: Matrix
    results: dict[Cell, CellResult | None]
    run_id: str | None = None
    ignored: list[Ignored] = field(default_factory=list)
    problem: str = ""

    @classmethod
    def of(cls, matrix: Matrix, run: RunResults) -> Verdict:
        """The verdict over what :func:`~harness.report.results.load_run` found."""
        return cls(matrix, run.results, run.run_id, run.ignored, run.problem)

    @property
    def cells(self) -> list[Cell]:
        """The matrix's cells, then cells outside it that ran (an upgrade target, an older matrix)."""
        extra = [c for c, r in self.results.items() if r is not None and c not in self.matrix.cells]
        return [*self.matrix.cells, *extra]

    @property
    def libraries(self) -> list[str]:
        """Row labels: the releases with a result in this run (all of the matrix's if nothing ran).

        A one-cell run shows that cell, not a grid of cells nobody asked for; the cells
        left out are still named by :meth:`gaps`.
        """
        ran = {r.cell.stripe for r in self.ran}
        order = [*self.matrix.stripe, *sorted(ran - set(self.matrix.stripe), key=_release_key)]
        return [lib for lib in order if lib in ran]

    @property
    def api_versions(self) -> list[str]:
        """Column labels: the API versions with a result in this run."""
        ran = {r.cell.api_version for r in self.ran}
        return [api for api in [*self.matrix.api_versions, *sorted(ran - set(self.matrix.api_versions))] if api in ran]

    def result(self, lib: str, api: str) -> CellResult | None:
        """The result of one cell, None when it did not run."""
        return self.results.get(Cell(lib, api))

    @property
    def known(self) -> int:
        """How many scenarios a complete cell runs: the most any cell of this run collected."""
        return max((r.collected for r in self.ran if r.installed), default=0)

    def complete(self, result: CellResult) -> bool:
        """Every known scenario was selected and reached an outcome (no -k, -m, --lf, -x cut it short)."""
        if result.deselected_unknown:
            return False
        return result.selected >= self.known and result.executed >= result.selected

    def status_of(self, result: CellResult | None) -> Status:
        """One cell's status from its result."""
        if result is None:
            return Status.NOT_RUN
        if not result.installed:
            return Status.NO_INSTALL
        if not result.ok:
            return Status.FAIL
        return Status.PASS if self.complete(result) else Status.PARTIAL

    def status(self, lib: str, api: str) -> Status:
        """The status of one cell by its coordinates."""
        return self.status_of(self.result(lib, api))

    def label(self, result: CellResult | None) -> str:
        """The words a heat-map or table cell shows: ``PASS 33/33 · 2 N/A``, ``PARTIAL 2 of 35``."""
        status = self.status_of(result)
        if result is None or status is Status.NO_INSTALL:
            return WORDS[status]
        ran = result.passed + result.failed + result.errors
        text = f"{WORDS[status]} {result.passed}/{ran}"
        if status is Status.PARTIAL:
            text = f"{WORDS[status]} {result.executed} of {self.known}"
        if result.not_applicable:
            text += f" · {result.not_applicable} N/A"
        return text

    @property
    def ran(self) -> list[CellResult]:
        """Results of the cells that ran (or tried to install) in this run, in matrix order."""
        return [r for c in self.cells if (r := self.results.get(c)) is not None]

    def by_status(self, status: Status) -> list[Cell]:
        """The cells (matrix and extra) with this status."""
        return [c for c in self.cells if self.status_of(self.results.get(c)) is status]

    @property
    def not_run(self) -> list[Cell]:
        """Matrix cells without a result in this run."""
        return self.by_status(Status.NOT_RUN)

    @property
    def green(self) -> int:
        """How many cells passed every known scenario."""
        return len(self.by_status(Status.PASS))

    @property
    def ok(self) -> bool:
        """Green: every cell passed every scenario, in this run, and nothing was left out or unreadable."""
        return not self.problem and len(self.by_status(Status.PASS)) == len(self.cells) and bool(self.cells)

    def gaps(self) -> list[str]:
        """Each reason the verdict is not green that is not a failed scenario, as a sentence."""
        found = [self.problem] if self.problem else []
        total = len(self.matrix.cells)
        if missing := self.not_run:
            command = "nox -s compat runs every cell"
            found.append(f"{len(missing)} of {total} matrix cells not run in this run: "
                         f"{_listed([c.id for c in missing])} ({command})")
        for result in self.ran:
            if not result.installed:
                found.append(f"{result.cell.id} failed to install: {squeezed(result.message) or 'no message'}")
        partial = Counter(
            (r.selected, r.executed, r.filter_text, r.deselected_unknown)
            for r in self.ran if r.installed and not self.complete(r)
        )
        for (selected, executed, how, unknown), count in partial.items():
            cells = _plural(count, "cell")
            by = f" ({how})" if how else ""
            if unknown:
                found.append(f"filtered{by} in {cells}: {selected} scenarios selected, of how many is unknown "
                             "under pytest-xdist")
            elif selected < self.known:
                found.append(f"filtered: {selected} of {self.known} scenarios selected{by} in {cells}")
            else:
                found.append(f"stopped early: {executed} of {selected} selected scenarios ran in {cells} "
                             "(-x, --maxfail or an interruption)")
        if self.ignored:
            runs = Counter(str(i.run_id) for i in self.ignored)
            named = _listed([f"{run} ({_plural(n, 'cell')})" for run, n in runs.items()], 3)
            found.append(f"{_plural(len(self.ignored), 'result')} of other runs ignored: {named}")
        return found

    def headline(self) -> str:
        """GREEN or NOT GREEN and why, in one sentence."""
        if self.ok:
            return f"GREEN: all {len(self.cells)} cells passed every scenario (run {self.run_id})."
        return f"NOT GREEN: {self.summary_line()}"

    def summary_line(self) -> str:
        """``28/30 cells green; 1 failed; 1 not run.``: the one line a CI log needs."""
        parts = [f"{self.green}/{len(self.cells)} cells green"]
        for status, word in ((Status.FAIL, "failed"), (Status.NO_INSTALL, "failed to install"),
                             (Status.PARTIAL, "filtered or partial"), (Status.NOT_RUN, "not run")):
            if n := len(self.by_status(status)):
                parts.append(f"{n} {word}")
        if self.ignored:
            parts.append(f"{len(self.ignored)} results of other runs ignored")
        if self.problem:
            parts.append(self.problem)
        return "; ".join(parts) + "."

    def as_dict(self) -> dict[str, Any]:
        """The verdict as plain data, for the JSON report: every matrix cell, run or not."""
        cells = []
        for cell in self.cells:
            result = self.results.get(cell)
            cells.append({
                "cell": cell.id,
                "stripe": cell.stripe,
                "api_version": cell.api_version,
                "status": self.status_of(result).value,
                "label": self.label(result),
                "passed": result.passed if result else 0,
                "failed": result.failed if result else 0,
                "errors": result.errors if result else 0,
                "skipped": result.skipped if result else 0,
                "not_applicable": result.not_applicable if result else 0,
                "selected": result.selected if result else 0,
                "known": self.known,
                "exitstatus": result.exitstatus if result else None,
                "install_error": result.message if result and not result.installed else None,
                "failures": failure_rows(result) if result else [],
            })
        counts = {s.name.lower(): len(self.by_status(s)) for s in Status}
        return {
            "ok": self.ok,
            "headline": self.headline(),
            "summary": self.summary_line(),
            "run_id": self.run_id,
            "gaps": self.gaps(),
            "counts": {"cells": len(self.cells), "ran": len(self.ran), "green": self.green, **counts,
                       "ignored": len(self.ignored)},
            "scenarios_known": self.known,
            "not_run": [c.id for c in self.not_run],
            "ignored": [{"cell": i.cell.id, "run_id": i.run_id} for i in self.ignored],
            "cells": cells,
        }


def _release_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())
