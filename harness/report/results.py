"""Reading the per-cell result files that the pytest plugin writes with ``--stripe-results``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
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

    @property
    def failures(self) -> list[dict[str, Any]]:
        """The failed scenarios, each with ``id`` and ``reason``."""
        return [s for s in self.scenarios if s["outcome"] == "failed"]


def read_result(path: Path) -> tuple[CellResult, str | None]:
    """One result file as a :class:`CellResult` and the nox run id that wrote it."""
    try:
        data = json.loads(path.read_text())
        counts = data["counts"]
        cell = Cell(data["stripe"], data["api_version"])
        result = CellResult(
            cell, counts["passed"], counts["failed"], counts["skipped"], data["exitstatus"], data["scenarios"]
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"{path} is not a stripe-compat result file ({exc!r}); delete it or re-run its cell."
        raise ConfigError(msg) from None
    return result, data.get("run_id")


def load_results(folder: Path, matrix: Matrix, run_id: str | None = None) -> dict[Cell, CellResult | None]:
    """Every matrix cell mapped to its result, or None when it did not run (in ``run_id``).

    Cells found outside the matrix (an upgrade target, a stale file from an older
    matrix) are kept: a report should show what ran, not only what was planned.
    """
    found: dict[Cell, CellResult | None] = dict.fromkeys(matrix.cells)
    for path in sorted(folder.glob("*.json")):
        result, result_run = read_result(path)
        if run_id and result_run != run_id:
            continue
        found[result.cell] = result
    return found
