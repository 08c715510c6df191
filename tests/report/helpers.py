"""A small matrix and result files written the way the plugin's ResultsWriter writes them."""

from __future__ import annotations

from pathlib import Path

from harness.matrix import load_matrix
from harness.report.record import FORMAT, OUTCOMES, write_install_failure, write_json
from harness.report.results import load_run
from harness.report.verdict import Verdict

PYPROJECT = """
[tool.stripe-compat.matrix]
stripe = ["7.14.0", "16.1.0"]
api_versions = ["2023-10-16", "2025-03-31.basil"]
"""
REASON = "AttributeError: 'get' is a dict method, but a ListObject is not a dict."
CELLS = ["7.14.0@2023-10-16", "7.14.0@2025-03-31.basil", "16.1.0@2023-10-16", "16.1.0@2025-03-31.basil"]
#: A complete cell knows this many scenarios.
KNOWN = 4


def write_result(
    folder: Path, cell: str, *, failing: list[str] = (), errors: list[str] = (), run_id: str = "run1",
    selected: int | None = None, deselected: int = 0, keyword: str = "", reason: str = REASON,
    not_applicable: int = 0, written_at: str = "2026-12-01T10:00:00Z",
) -> None:
    """One cell's result file: passing scenarios up to ``selected`` (default all known), plus these."""
    lib, api = cell.split("@")
    selected = KNOWN - deselected if selected is None else selected
    bad = [(n, "failed") for n in failing] + [(n, "error") for n in errors]
    na = [{"id": f"s.py::na{i}", "outcome": "not_applicable", "reason": "not applicable: refunds"}
          for i in range(not_applicable)]
    passing = selected - len(bad) - len(na)
    scenarios = [{"id": f"s.py::ok{i}", "outcome": "passed", "reason": ""} for i in range(passing)]
    scenarios += [{"id": f"s.py::{name}", "outcome": kind, "reason": reason} for name, kind in bad] + na
    data = {
        "format": FORMAT, "run_id": run_id, "stripe": lib, "api_version": api, "backend": "replay",
        "written_at": written_at, "status": "ran", "exitstatus": 1 if bad else 0,
        "collected": selected + deselected, "selected": selected, "deselected": deselected,
        "selection": {"keyword": keyword, "markexpr": "", "maxfail": 0, "last_failed": False},
        "counts": {k: sum(s["outcome"] == k for s in scenarios) for k in OUTCOMES},
        "scenarios": scenarios,
    }
    write_json(folder / f"{cell}.json", data)


def write_full_run(folder: Path, run_id: str = "run1", **kwargs: object) -> None:
    """Every cell of the small matrix, green unless ``kwargs`` say otherwise."""
    for cell in CELLS:
        write_result(folder, cell, run_id=run_id, **kwargs)


def install_failure(folder: Path, cell: str, message: str, run_id: str = "run1") -> None:
    """What the compat session writes when uv cannot install the cell's stripe release."""
    lib, api = cell.split("@")
    write_install_failure(folder / f"{cell}.json", lib, api, message, run_id)


def project(tmp_path: Path) -> Path:
    """A project with the small matrix and a partial run: one green cell, one red, two not run, one stale."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    results = tmp_path / ".stripe-compat" / "results"
    write_result(results, "7.14.0@2023-10-16")
    write_result(results, "16.1.0@2025-03-31.basil", failing=["test_card"])
    write_result(results, "16.1.0@2023-10-16", failing=["stale"], run_id="older-run", written_at="2026-11-30T10:00:00Z")
    return tmp_path


def verdict_of(root: Path, run_id: str | None = "run1") -> Verdict:
    """The verdict of the results under ``root`` for ``run_id``."""
    matrix = load_matrix(root / "pyproject.toml")
    return Verdict.of(matrix, load_run(root / ".stripe-compat" / "results", matrix, run_id))


def verdict(tmp_path: Path) -> Verdict:
    """The verdict of :func:`project`'s run ``run1``."""
    return verdict_of(project(tmp_path))
