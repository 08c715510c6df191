"""Scanning a snippet written to a temporary file."""

from __future__ import annotations

import textwrap
from pathlib import Path

from harness.matrix import Cell
from harness.scan.engine import scan
from harness.scan.findings import Finding


def scan_snippet(tmp_path: Path, code: str, source: str, target: str, *, notes: bool = False) -> list[Finding]:
    """Findings for ``code`` (dedented) moving from cell ``source`` to ``target``."""
    path = tmp_path / "snippet.py"
    path.write_text(textwrap.dedent(code))
    return scan([path], Cell.parse(source), Cell.parse(target), include_notes=notes).findings


def rules(findings: list[Finding]) -> set[str]:
    """The rule ids found."""
    return {f.rule for f in findings}
