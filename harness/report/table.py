"""The terminal table printed at the end of ``nox -s compat``: library rows × API-version columns.

Only the rows and columns of cells that ran are drawn (a one-cell run shows one cell);
the headline and the gaps under it say what the grid leaves out.
"""

from __future__ import annotations

from .groups import group_failures
from .verdict import Verdict, first_line

#: A log stays readable when one cause breaks hundreds of scenarios; the files list them all.
PER_GROUP = 10


def render_grid(verdict: Verdict) -> str:
    """The aligned grid of the cells that ran, or ``""`` when none did."""
    if not verdict.ran:
        return ""
    header = ["stripe \\ API", *verdict.api_versions]
    rows = [[lib, *(verdict.label(verdict.result(lib, api)) for api in verdict.api_versions)]
            for lib in verdict.libraries]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(text.ljust(w) for text, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_summary(verdict: Verdict) -> str:
    """The headline and each gap: what a log needs even without the grid."""
    return "\n".join([verdict.headline(), *(f"  - {gap}" for gap in verdict.gaps())])


def render_table(verdict: Verdict) -> str:
    """The grid, the verdict with its gaps, then the failures grouped by cause (each cause once)."""
    lines = [grid, ""] if (grid := render_grid(verdict)) else []
    lines.append(render_summary(verdict))
    for group in group_failures(verdict):
        lines.append(f"  FAIL x{len(group.failures)} in {len(group.cells)} cell(s): {group.title}")
        if group.cause:
            lines.append(f"       e.g. {first_line(group.failures[0].reason)}")
            lines.append(f"       source: {group.cause.source}")
        for failure in group.failures[:PER_GROUP]:
            lines.append(f"       {failure.cell}  {failure.scenario}")
        if len(group.failures) > PER_GROUP:
            lines.append(f"       … and {len(group.failures) - PER_GROUP} more (all: report-full.md, nox -s report)")
    return "\n".join(lines)
