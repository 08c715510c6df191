"""The matrix verdict every report format renders: which cells ran, which are green, why not.

One place computes it so the terminal table, Markdown, JSON and HTML can never disagree
about what "green" or "not run" means.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..matrix import Cell, Matrix
from .results import CellResult


def failure_rows(result: CellResult) -> list[dict[str, str]]:
    """Why a cell is red, one ``{id, reason}`` per failed scenario.

    A red cell with no failed scenario (a collection error, a crash, exit 5 with no
    test) still gets one row, so no format can show red without a reason.
    """
    rows = [{"id": s["id"], "reason": s["reason"]} for s in result.failures]
    if not rows and not result.ok:
        hint = "no scenario ran" if result.passed == 0 else "see the cell's log"
        rows.append({"id": "(cell)", "reason": f"pytest exited {result.exitstatus}: {hint}"})
    return rows


class Status(StrEnum):
    """A cell's state in the report."""

    PASS = "pass"
    FAIL = "fail"
    NOT_RUN = "not run"


@dataclass(frozen=True)
class Verdict:
    """The results of one run laid over the matrix."""

    matrix: Matrix
    results: dict[Cell, CellResult | None]

    @property
    def libraries(self) -> list[str]:
        """Row labels: the matrix's releases, then any other release that has results."""
        extra = {c.stripe for c in self.results} - set(self.matrix.stripe)
        return [*self.matrix.stripe, *sorted(extra, key=lambda v: tuple(int(p) for p in v.split(".")))]

    @property
    def api_versions(self) -> list[str]:
        """Column labels: the matrix's API versions, then any other version that has results."""
        extra = {c.api_version for c in self.results} - set(self.matrix.api_versions)
        return [*self.matrix.api_versions, *sorted(extra)]

    def result(self, lib: str, api: str) -> CellResult | None:
        """The result of one cell, None when it did not run."""
        return self.results.get(Cell(lib, api))

    def status(self, lib: str, api: str) -> Status:
        """pass, fail or not run for one cell."""
        result = self.result(lib, api)
        if result is None:
            return Status.NOT_RUN
        return Status.PASS if result.ok else Status.FAIL

    @property
    def ran(self) -> list[CellResult]:
        """Results of the cells that ran, in matrix order."""
        return [r for r in self.results.values() if r is not None]

    @property
    def not_run(self) -> list[Cell]:
        """Matrix cells without a result in this run."""
        return [c for c in self.matrix.cells if self.results.get(c) is None]

    @property
    def green(self) -> int:
        """How many cells that ran are green."""
        return sum(r.ok for r in self.ran)

    @property
    def ok(self) -> bool:
        """Every cell that ran is green (a partial run can be ok; the report says what is missing)."""
        return all(r.ok for r in self.ran)

    def summary_line(self) -> str:
        """``28/30 cells green; 2 not run.``: the one line a CI log needs."""
        return f"{self.green}/{len(self.ran)} cells green; {len(self.not_run)} not run."

    def as_dict(self) -> dict[str, Any]:
        """The verdict as plain data, for the JSON report."""
        cells = []
        for lib in self.libraries:
            for api in self.api_versions:
                result = self.result(lib, api)
                if result is None and Cell(lib, api) not in self.matrix.cells:
                    continue  # outside the matrix and not run: nothing to say
                cells.append({
                    "cell": Cell(lib, api).id,
                    "stripe": lib,
                    "api_version": api,
                    "status": self.status(lib, api).value,
                    "passed": result.passed if result else 0,
                    "failed": result.failed if result else 0,
                    "skipped": result.skipped if result else 0,
                    "exitstatus": result.exitstatus if result else None,
                    "failures": failure_rows(result) if result else [],
                })
        return {
            "ok": self.ok,
            "summary": self.summary_line(),
            "counts": {"cells": len(cells), "ran": len(self.ran), "green": self.green, "not_run": len(self.not_run)},
            "stripe": self.libraries,
            "api_versions": self.api_versions,
            "not_run": [c.id for c in self.not_run],
            "cells": cells,
        }
