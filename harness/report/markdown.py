"""The verdict as GitHub-flavoured Markdown, for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment.

Two documents: the summary (``report.md``), which always fits a GitHub comment
(65,536 characters) with every failure group folded in ``<details>``, and the full
report (``report-full.md``), which holds every failure with its whole reason.
"""

from __future__ import annotations

from html import escape

from .groups import FailureGroup, group_failures
from .verdict import Status, Verdict, first_line

_ICON = {Status.PASS: "✅", Status.FAIL: "❌", Status.PARTIAL: "🟡", Status.NO_INSTALL: "🚫", Status.NOT_RUN: "⬜"}
#: GitHub rejects a comment longer than this many characters.
COMMENT_LIMIT = 65_536
#: Reasons longer than this, or of several lines, are folded behind their first line.
FOLD_AT = 160
FULL_REPORT = "report-full.md"
#: In the summary, a cause lists this many failures; the full report lists all.
ROWS_PER_GROUP = 40


def _cell(text: str) -> str:
    # A pipe would end the table cell; a newline would end the row.
    return text.replace("|", "\\|").replace("\n", " ")


def _reason(reason: str) -> str:
    """A reason: short ones inline, long ones as their first line with the whole text folded."""
    head = escape(first_line(reason))
    if len(reason) <= FOLD_AT and "\n" not in reason.strip():
        return head
    return f"<details><summary>{head[:FOLD_AT]}…</summary>\n\n<pre>{escape(reason)}</pre>\n</details>"


def _grid(verdict: Verdict) -> list[str]:
    if not verdict.ran:
        return []
    lines = ["| stripe \\ API | " + " | ".join(f"`{api}`" for api in verdict.api_versions) + " |",
             "|---|" + "---|" * len(verdict.api_versions)]
    for lib in verdict.libraries:
        marks = [f"{_ICON[verdict.status(lib, api)]} {verdict.label(verdict.result(lib, api))}"
                 for api in verdict.api_versions]
        lines.append(f"| `{lib}` | " + " | ".join(marks) + " |")
    return ["", *lines]


def _group(group: FailureGroup, *, full: bool) -> str:
    count = f"{len(group.failures)} failure(s): {len(group.scenarios)} scenario(s) in {len(group.cells)} cell(s)"
    lines = [f"<details><summary><b>{escape(group.title)}</b> — {count}</summary>", ""]
    if group.cause:
        lines += [f"Known cause; source: {group.cause.source}", ""]
    lines += ["| cell | scenario | outcome |", "|---|---|---|"]
    rows = group.failures if full else group.failures[:ROWS_PER_GROUP]
    lines += [f"| `{f.cell}` | `{_cell(f.scenario)}` | {f.outcome} |" for f in rows]
    if len(rows) < len(group.failures):
        lines.append(f"| … | {len(group.failures) - len(rows)} more in {FULL_REPORT} | |")
    reasons = list(dict.fromkeys(f.reason for f in group.failures))
    shown = reasons if full else reasons[:1]
    lines += ["", "Reason" + ("s:" if len(shown) > 1 else ":"), ""]
    lines += [f"- {_reason(r)}" for r in shown]
    if len(shown) < len(reasons):
        lines.append(f"- … {len(reasons) - len(shown)} more wording(s) of this cause in {FULL_REPORT}")
    lines += ["", "</details>"]
    return "\n".join(lines)


def render_markdown(verdict: Verdict, *, full: bool = False, limit: int = COMMENT_LIMIT) -> str:
    """The headline, gaps and grid, then the failures by cause; the summary stops before ``limit``."""
    title = "✅ Stripe compatibility: GREEN" if verdict.ok else "❌ Stripe compatibility: NOT GREEN"
    lines = [f"## {title}", "", f"**{verdict.summary_line()}**"]
    if gaps := verdict.gaps():
        lines += ["", *(f"- {_cell(gap)}" for gap in gaps)]
    lines += _grid(verdict)
    footer = ["", f"Full report: {FULL_REPORT} and report.html in the report artefact. How to read it: docs/report.md"]
    groups = group_failures(verdict)
    if groups:
        failures = sum(len(g.failures) for g in groups)
        lines += ["", f"### Failures by cause ({len(groups)} cause(s), {failures} failure(s))", ""]
    text = "\n".join(lines)
    budget = limit - len("\n".join(footer)) - 200
    for i, group in enumerate(groups):
        block = "\n" + _group(group, full=full) + "\n"
        if not full and len(text) + len(block) > budget:
            text += f"\n… {len(groups) - i} more cause(s) not shown here: see {FULL_REPORT}.\n"
            break
        text += block
    return text.rstrip("\n") + "\n" + "\n".join(footer) + "\n"  # a blank line ends the table
