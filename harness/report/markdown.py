"""The verdict as GitHub-flavoured Markdown, for ``$GITHUB_STEP_SUMMARY`` or a PR comment."""

from __future__ import annotations

from .verdict import Status, Verdict, failure_rows

_ICON = {Status.PASS: "✅", Status.FAIL: "❌", Status.NOT_RUN: "⬜"}


def _escape(text: str) -> str:
    # A pipe would end the table cell; a newline would end the row.
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(verdict: Verdict) -> str:
    """A heading with the one-line summary, the matrix table, then each failing cell's scenarios."""
    title = "✅ Stripe compatibility: all cells green" if verdict.ok else "❌ Stripe compatibility: breaks found"
    lines = [f"## {title}", "", verdict.summary_line(), ""]
    lines.append("| stripe \\ API | " + " | ".join(f"`{api}`" for api in verdict.api_versions) + " |")
    lines.append("|---|" + "---|" * len(verdict.api_versions))
    for lib in verdict.libraries:
        marks = []
        for api in verdict.api_versions:
            status, result = verdict.status(lib, api), verdict.result(lib, api)
            count = f" {result.passed}/{result.passed + result.failed}" if result else ""
            marks.append(f"{_ICON[status]}{count}")
        lines.append(f"| `{lib}` | " + " | ".join(marks) + " |")
    if verdict.not_run and verdict.ran:
        lines += ["", "**Not run:** " + ", ".join(f"`{c.id}`" for c in verdict.not_run)]
    failing = [r for r in verdict.ran if not r.ok]
    if failing:
        lines += ["", "### Failures", "", "| cell | scenario | first reason |", "|---|---|---|"]
        for result in failing:
            for scenario in failure_rows(result):
                lines.append(f"| `{result.cell.id}` | `{scenario['id']}` | {_escape(scenario['reason'])} |")
    lines += ["", "How to read this: docs/report.md"]
    return "\n".join(lines) + "\n"
