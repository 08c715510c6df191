"""The verdict as one self-contained HTML page: an SVG heat map of the matrix and the failures.

No script, stylesheet or font is fetched: the page is uploaded as a CI artefact and
opened from disk or an artefact viewer, often where a CDN is blocked.
"""

from __future__ import annotations

from html import escape

from ..matrix import Cell
from .verdict import Status, Verdict, failure_rows

_FILL = {Status.PASS: "#2e9e5b", Status.FAIL: "#d64541", Status.NOT_RUN: "#d5d8dc"}
_CELL_W, _CELL_H, _LEFT, _TOP = 150, 44, 90, 56

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#1c2833}
h1{font-size:22px;margin:0 0 4px} .summary{font-size:15px;margin:0 0 16px}
.ok{color:#1e7d45} .bad{color:#b03a2e}
svg text{font-family:inherit} a:hover rect{stroke:#1c2833;stroke-width:2}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 14px;vertical-align:middle}
section.cell{border-left:4px solid #d64541;padding:2px 12px;margin:14px 0}
section.cell h3{font-size:15px;margin:6px 0} code{font-size:12.5px}
ul{margin:4px 0 8px;padding-left:18px} li{margin:3px 0} .reason{color:#6e2c00}
"""


def _anchor(cell: Cell) -> str:
    return "cell-" + "".join(ch if ch.isalnum() else "-" for ch in cell.id)


def render_heatmap(verdict: Verdict) -> str:
    """Library releases down, API versions across; each cell coloured by status and linked to its failures."""
    apis, libs = verdict.api_versions, verdict.libraries
    width, height = _LEFT + _CELL_W * len(apis) + 10, _TOP + _CELL_H * len(libs) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="compatibility heat map" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<text x="4" y="{_TOP - 12}" font-size="12" fill="#566573">stripe \\ API</text>',
    ]
    for col, api in enumerate(apis):
        x = _LEFT + col * _CELL_W + _CELL_W / 2
        parts.append(f'<text x="{x}" y="{_TOP - 12}" font-size="13" text-anchor="middle">{escape(api)}</text>')
    for row, lib in enumerate(libs):
        y = _TOP + row * _CELL_H
        parts.append(f'<text x="{_LEFT - 10}" y="{y + _CELL_H / 2 + 5}" font-size="13" text-anchor="end">'
                     f'{escape(lib)}</text>')
        for col, api in enumerate(apis):
            parts.append(_cell_svg(verdict, Cell(lib, api), _LEFT + col * _CELL_W, y))
    parts.append("</svg>")
    return "\n".join(parts)


def _cell_svg(verdict: Verdict, cell: Cell, x: int, y: int) -> str:
    status, result = verdict.status(cell.stripe, cell.api_version), verdict.result(cell.stripe, cell.api_version)
    label = f"{result.passed}/{result.passed + result.failed}" if result else "not run"
    tip = f"{cell.id}: {status.value}"
    if result is not None:
        tip += "".join(f"\n{r['id']}: {r['reason']}" for r in failure_rows(result))
    ink = "#1c2833" if status is Status.NOT_RUN else "#ffffff"
    box = (
        f'<rect x="{x + 2}" y="{y + 2}" width="{_CELL_W - 4}" height="{_CELL_H - 4}" rx="4" '
        f'fill="{_FILL[status]}"><title>{escape(tip)}</title></rect>'
        f'<text x="{x + _CELL_W / 2}" y="{y + _CELL_H / 2 + 5}" font-size="13" text-anchor="middle" '
        f'fill="{ink}" pointer-events="none">{escape(status.value.upper() if result is None else label)}</text>'
    )
    if status is Status.FAIL:
        return f'<a href="#{_anchor(cell)}">{box}</a>'
    return box


def _failures_html(verdict: Verdict) -> str:
    failing = [r for r in verdict.ran if not r.ok]
    if not failing:
        return "<p>No failing cell.</p>"
    sections = []
    for result in failing:
        items = "".join(
            f'<li><code>{escape(row["id"])}</code><br><span class="reason">{escape(row["reason"])}</span></li>'
            for row in failure_rows(result)
        )
        sections.append(
            f'<section class="cell" id="{_anchor(result.cell)}"><h3>{escape(result.cell.id)} — '
            f"{result.failed} failed, {result.passed} passed, {result.skipped} skipped</h3><ul>{items}</ul></section>"
        )
    return "\n".join(sections)


def render_html(verdict: Verdict) -> str:
    """The whole page: summary, heat map with legend, cells not run, and every failing cell's reasons."""
    css_class = "ok" if verdict.ok else "bad"
    not_run = (
        "<p><strong>Not run:</strong> " + ", ".join(f"<code>{escape(c.id)}</code>" for c in verdict.not_run) + "</p>"
        if verdict.not_run else ""
    )
    legend = "".join(
        f'<span style="background:{_FILL[s]}"></span>{s.value}' for s in (Status.PASS, Status.FAIL, Status.NOT_RUN)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stripe-compat report</title><style>{_STYLE}</style></head>
<body>
<h1>Stripe compatibility matrix</h1>
<p class="summary {css_class}">{escape(verdict.summary_line())}</p>
<p class="legend">{legend}</p>
{render_heatmap(verdict)}
{not_run}
<h2>Failures</h2>
{_failures_html(verdict)}
</body></html>
"""
