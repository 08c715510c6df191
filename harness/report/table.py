"""The terminal table printed at the end of ``nox -s compat``: library rows × API-version columns."""

from __future__ import annotations

from ..matrix import Cell, Matrix
from .results import CellResult
from .verdict import Verdict, failure_rows


def _mark(result: CellResult | None) -> str:
    if result is None:
        return "not run"
    verdict = "PASS" if result.ok else "FAIL"
    return f"{verdict} {result.passed}/{result.passed + result.failed}"


def render_table(matrix: Matrix, results: dict[Cell, CellResult | None]) -> str:
    """The matrix as aligned text, then one line per failing scenario with its first reason."""
    verdict = Verdict(matrix, results)
    header = ["stripe \\ API", *verdict.api_versions]
    rows = [[lib, *(_mark(verdict.result(lib, api)) for api in verdict.api_versions)] for lib in verdict.libraries]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(text.ljust(w) for text, w in zip(row, widths, strict=True)) for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(verdict.summary_line())
    if verdict.not_run and verdict.ran:
        lines.append("  not run: " + ", ".join(c.id for c in verdict.not_run))
    for result in verdict.ran:
        for scenario in failure_rows(result):
            lines.append(f"  FAIL {result.cell.id}  {scenario['id']}: {scenario['reason']}")
    return "\n".join(lines)
