"""SARIF 2.1.0 output, so GitHub code scanning shows each finding on its line.

One rule per library break or catalogue change; ``level`` follows the finding's severity
and ``rank`` its confidence (a name match ranks lower than a followed assignment).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .findings import Confidence, ScanResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "note": "note"}
_RANK = {Confidence.CERTAIN: 90.0, Confidence.LIKELY: 70.0, Confidence.NAME: 40.0}
_URL = re.compile(r"https?://[^\s;,()]+")


def _artifact(path: Path, root: Path) -> dict[str, str]:
    """Relative to the source root when inside it (what code scanning maps to the repository), else a file URI."""
    try:
        return {"uri": path.resolve().relative_to(root.resolve()).as_posix(), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        return {"uri": path.resolve().as_uri()}


def render_sarif(result: ScanResult, root: Path, tool_version: str) -> dict[str, Any]:
    """A SARIF log with one run; paths are relative to ``root`` (the repository, for code scanning)."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in result.findings:
        rules.setdefault(f.rule, {
            "id": f.rule,
            "shortDescription": {"text": f.what.split(":")[0][:200]},
            **({"helpUri": url.group(0)} if (url := _URL.search(f.source)) else {}),
            "help": {"text": f"{f.what}. Fix: {f.fix}. Source: {f.source}"},
            "properties": {"changed_in": f.changed_in},
        })
        results.append({
            "ruleId": f.rule,
            "ruleIndex": list(rules).index(f.rule),
            "level": _LEVEL[f.severity],
            "rank": _RANK[f.confidence],
            "message": {"text": f"{f.what} ({f.changed_in}). Fix: {f.fix}."},
            "locations": [{"physicalLocation": {
                "artifactLocation": _artifact(f.path, root),
                "region": {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line,
                           "endColumn": f.end_column},
            }}],
            "properties": {"confidence": str(f.confidence), "code": f.code},
        })
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "stripe-compat scan",
                "version": tool_version,
                "rules": list(rules.values()),
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}},
            "results": results,
            "properties": {"from": result.source, "to": result.target},
        }],
    }
