"""Reading the per-cell result files that the pytest plugin writes with ``--stripe-results``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..matrix import Cell, Matrix


@dataclass(frozen=True)
class CellResult:
    """One cell's outcome: counts and each scenario's outcome with its first reason."""

    cell: Cell
    passed: int
    failed: int
    skipped: int
    exitstatus: int
    scenarios: list[dict[str, Any]]

    @property
    def ok(self) -> bool:
        """Green: pytest exited 0 and at least one scenario ran (exit 5, no tests, is not green)."""
        return self.exitstatus == 0 and self.passed > 0


def load_results(folder: Path, matrix: Matrix, run_id: str | None = None) -> dict[Cell, CellResult | None]:
    """Every matrix cell mapped to its result, or None when it did not run (in ``run_id``)."""
    found: dict[Cell, CellResult | None] = dict.fromkeys(matrix.cells)
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        if run_id and data.get("run_id") != run_id:
            continue
        cell = Cell(data["stripe"], data["api_version"])
        counts = data["counts"]
        found[cell] = CellResult(
            cell, counts["passed"], counts["failed"], counts["skipped"], data["exitstatus"], data["scenarios"]
        )
    return found
