"""A small matrix and result files written the way the plugin's ResultsWriter writes them."""

from __future__ import annotations

import json
from pathlib import Path

from harness.matrix import load_matrix
from harness.report.results import load_results
from harness.report.verdict import Verdict

PYPROJECT = """
[tool.stripe-compat.matrix]
stripe = ["7.14.0", "16.1.0"]
api_versions = ["2023-10-16", "2025-03-31.basil"]
"""
REASON = "AttributeError: 'get' is a dict method, but a ListObject is not a dict."


def write_result(folder: Path, cell: str, *, failing: list[str] = (), run_id: str = "run1") -> None:
    """One cell's result file: two passing scenarios plus ``failing``."""
    lib, api = cell.split("@")
    scenarios = [{"id": f"s.py::ok{i}", "outcome": "passed", "reason": ""} for i in range(2)]
    scenarios += [{"id": f"s.py::{name}", "outcome": "failed", "reason": REASON} for name in failing]
    data = {
        "run_id": run_id, "stripe": lib, "api_version": api, "backend": "replay",
        "exitstatus": 1 if failing else 0,
        "counts": {"passed": 2, "failed": len(failing), "skipped": 0},
        "scenarios": scenarios,
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{cell}.json").write_text(json.dumps(data))


def project(tmp_path: Path) -> Path:
    """A project with the small matrix and a partial run: one green cell, one red, two not run, one stale."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    results = tmp_path / ".stripe-compat" / "results"
    write_result(results, "7.14.0@2023-10-16")
    write_result(results, "16.1.0@2025-03-31.basil", failing=["test_card"])
    write_result(results, "16.1.0@2023-10-16", failing=["stale"], run_id="older-run")
    return tmp_path


def verdict(tmp_path: Path) -> Verdict:
    """The verdict of :func:`project`'s run ``run1``."""
    root = project(tmp_path)
    matrix = load_matrix(root / "pyproject.toml")
    return Verdict(matrix, load_results(root / ".stripe-compat" / "results", matrix, "run1"))
