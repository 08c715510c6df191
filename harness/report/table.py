"""The terminal table printed at the end of ``nox -s compat``: library rows × API-version columns."""

from __future__ import annotations

from ..matrix import Cell, Matrix
from .results import CellResult


def _mark(result: CellResult | None) -> str:
    if result is None:
        return "not run"
    verdict = "PASS" if result.ok else "FAIL"
    return f"{verdict} {result.passed}/{result.passed + result.failed}"


def render_table(matrix: Matrix, results: dict[Cell, CellResult | None]) -> str:
    """The matrix as aligned text, then one line per failing scenario with its first reason."""
    header = ["stripe \\ API", *matrix.api_versions]
    rows = [[lib, *(_mark(results.get(Cell(lib, api))) for api in matrix.api_versions)] for lib in matrix.stripe]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(text.ljust(w) for text, w in zip(row, widths, strict=True)) for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    ran = [r for r in results.values() if r is not None]
    green = sum(r.ok for r in ran)
    lines.append("")
    lines.append(f"{green}/{len(ran)} cells green; {len(results) - len(ran)} not run.")
    for result in ran:
        for scenario in result.scenarios:
            if scenario["outcome"] == "failed":
                lines.append(f"  FAIL {result.cell.id}  {scenario['id']}: {scenario['reason']}")
    return "\n".join(lines)
