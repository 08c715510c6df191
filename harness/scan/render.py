"""The scan's text and JSON output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .findings import Finding, ScanResult

_SURE = {"certain": "", "likely": " [through a helper]", "name": " [name match only]"}


def verdict_line(result: ScanResult) -> str:
    """One line: does the code break, and how much was read."""
    errors, others = len(result.breaks), len(result.findings) - len(result.breaks)
    head = f"SCAN {result.source} -> {result.target}: "
    head += f"{errors} BREAK(S)" if errors else "no break found"
    if others:
        head += f", {others} warning(s)"
    return head + f" in {result.files} file(s)."


def finding_lines(finding: Finding, root: Path | None = None, indent: str = "") -> list[str]:
    """``path:line:col: code`` then what changes, where, and the fix."""
    where = finding.as_json(root)["path"]
    level = "" if finding.severity == "error" else f"{finding.severity}: "
    return [
        f"{indent}{where}:{finding.line}:{finding.column}: {finding.code}",
        f"{indent}    {level}{finding.what} ({finding.changed_in}){_SURE[str(finding.confidence)]}",
        f"{indent}    fix: {finding.fix}",
    ]


def render_text(result: ScanResult, root: Path | None = None) -> str:
    """Human output: the verdict, each finding, the API versions really compared, unreadable files."""
    lines = [verdict_line(result)]
    if result.effective_api and result.effective_api != result.named_api:
        lines.append(f"The code pins no API version: compared the versions its releases send, "
                     f"{result.effective_api[0]} -> {result.effective_api[1]}.")
    for finding in result.findings:
        lines += ["", *finding_lines(finding, root)]
    for path, why in result.unreadable:
        lines += ["", f"not scanned: {path}: {why}"]
    return "\n".join(lines)


def render_json(result: ScanResult, root: Path | None = None) -> dict[str, Any]:
    """The same as plain data."""
    return {
        "from": result.source,
        "to": result.target,
        "safe": not result.breaks,
        "files": result.files,
        "effective_api_versions": list(result.effective_api) if result.effective_api else None,
        "findings": [f.as_json(root) for f in result.findings],
        "not_scanned": [{"path": str(p), "why": why} for p, why in result.unreadable],
    }
