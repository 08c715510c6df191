"""The verdict as one self-contained HTML page: an SVG heat map of the matrix and the failures by cause.

No script, stylesheet or font is fetched: the page is uploaded as a CI artefact and
opened from disk or an artefact viewer, often where a CDN is blocked.
"""

from __future__ import annotations

from html import escape

from ..matrix import Cell
from .groups import FailureGroup, group_failures
from .verdict import Status, Verdict, first_line

_FILL = {Status.PASS: "#2e9e5b", Status.FAIL: "#d64541", Status.PARTIAL: "#e0a100",
         Status.NO_INSTALL: "#7d3c98", Status.NOT_RUN: "#d5d8dc"}
_CELL_W, _CELL_H, _LEFT, _TOP = 170, 44, 90, 56
_FOLD_AT = 160

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#1c2833}
h1{font-size:22px;margin:0 0 4px} .summary{font-size:16px;font-weight:600;margin:0 0 8px}
.ok{color:#1e7d45} .bad{color:#b03a2e} ul.gaps li{color:#6e2c00}
svg text{font-family:inherit} a:hover rect{stroke:#1c2833;stroke-width:2}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 14px;vertical-align:middle}
section.cause{border-left:4px solid #d64541;padding:2px 12px;margin:14px 0}
section.cause h3{font-size:15px;margin:6px 0} code{font-size:12.5px}
ul{margin:4px 0 8px;padding-left:18px} li{margin:3px 0} .reason{color:#6e2c00}
pre{white-space:pre-wrap;background:#f4f6f7;padding:8px;font-size:12px}
"""


def _anchor(prefix: str, text: str) -> str:
    return prefix + "-" + "".join(ch if ch.isalnum() else "-" for ch in text)


def render_heatmap(verdict: Verdict) -> str:
    """Releases down, API versions across, for the cells that ran; each coloured and worded by status."""
    apis, libs = verdict.api_versions, verdict.libraries
    if not libs:
        return '<p class="bad">No cell ran in this run: there is nothing to draw.</p>'
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
    result = verdict.results.get(cell)
    status = verdict.status_of(result)
    tip = f"{cell.id}: {verdict.label(result)}"
    ink = "#1c2833" if status in (Status.NOT_RUN, Status.PARTIAL) else "#ffffff"
    box = (
        f'<rect x="{x + 2}" y="{y + 2}" width="{_CELL_W - 4}" height="{_CELL_H - 4}" rx="4" '
        f'fill="{_FILL[status]}"><title>{escape(tip)}</title></rect>'
        f'<text x="{x + _CELL_W / 2}" y="{y + _CELL_H / 2 + 5}" font-size="13" text-anchor="middle" '
        f'fill="{ink}" pointer-events="none">{escape(verdict.label(result))}</text>'
    )
    if status in (Status.FAIL, Status.NO_INSTALL):
        return f'<a href="#{_anchor("cell", cell.id)}">{box}</a>'
    return box


def _reason_html(reason: str) -> str:
    head = escape(first_line(reason))
    if len(reason) <= _FOLD_AT and "\n" not in reason.strip():
        return f'<span class="reason">{head}</span>'
    return f'<details><summary class="reason">{head[:_FOLD_AT]}…</summary><pre>{escape(reason)}</pre></details>'


def _group_html(group: FailureGroup) -> str:
    source = f'<p>Known cause; source: <code>{escape(group.cause.source)}</code></p>' if group.cause else ""
    items = "".join(
        f"<li><code>{escape(f.cell)}</code> <code>{escape(f.scenario)}</code> ({escape(f.outcome)})</li>"
        for f in group.failures
    )
    reasons = "".join(f"<li>{_reason_html(r)}</li>" for r in dict.fromkeys(f.reason for f in group.failures))
    return (
        f'<section class="cause" id="{_anchor("cause", group.title)}"><h3>{escape(group.title)}</h3>'
        f"<p>{len(group.failures)} failure(s): {len(group.scenarios)} scenario(s) in {len(group.cells)} cell(s)</p>"
        f"{source}<ul>{items}</ul><p>Reason(s):</p><ul>{reasons}</ul></section>"
    )


def _failing_cells_html(verdict: Verdict, groups: list[FailureGroup]) -> str:
    """One line per red cell, the target of its heat-map link, naming the causes that explain it."""
    lines = []
    for result in verdict.ran:
        if verdict.status_of(result) not in (Status.FAIL, Status.NO_INSTALL):
            continue
        causes = ", ".join(
            f'<a href="#{_anchor("cause", g.title)}">{escape(g.title[:80])}</a>'
            for g in groups if result.cell.id in g.cells
        )
        lines.append(f'<li id="{_anchor("cell", result.cell.id)}"><code>{escape(result.cell.id)}</code>: '
                     f"{escape(verdict.label(result))} — {causes}</li>")
    return f"<h2>Failing cells</h2><ul>{''.join(lines)}</ul>" if lines else ""


def render_html(verdict: Verdict) -> str:
    """The whole page: verdict and gaps, heat map with legend, failing cells, then every failure by cause."""
    css_class = "ok" if verdict.ok else "bad"
    gaps = "".join(f"<li>{escape(g)}</li>" for g in verdict.gaps())
    legend = "".join(f'<span style="background:{_FILL[s]}"></span>{s.value}' for s in Status)
    groups = group_failures(verdict)
    failures = "\n".join(_group_html(g) for g in groups) or "<p>No failure.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stripe-compat report</title><style>{_STYLE}</style></head>
<body>
<h1>Stripe compatibility matrix</h1>
<p class="summary {css_class}">{escape(verdict.headline())}</p>
{f'<ul class="gaps">{gaps}</ul>' if gaps else ''}
<p class="legend">{legend}</p>
{render_heatmap(verdict)}
{_failing_cells_html(verdict, groups)}
<h2>Failures by cause</h2>
{failures}
</body></html>
"""
