"""Collecting a cell's scenario outcomes during a pytest run and writing its result file.

The plugin registers a :class:`ResultsWriter` for ``--stripe-results``; the report
reads what it writes (:mod:`harness.report.results`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from ..config import HarnessConfig
from ..stripe_http import stripe_version


def _reason(report: pytest.TestReport) -> str:
    """The first line of why a scenario failed or was skipped, for the report."""
    if report.passed:
        return ""
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        text = crash.message
    elif isinstance(report.longrepr, tuple):  # a skip: (file, line, reason)
        text = str(report.longrepr[2])
    else:
        text = str(report.longrepr)
    return text.strip().splitlines()[0][:300] if text.strip() else ""


class ResultsWriter:
    """Collects each scenario's outcome and writes the cell's JSON for the report.

    An object per run rather than module state, so runs inside one process (pytester,
    IDEs) never mix their results. Under xdist only the controller writes. The harness
    configuration is asked for only at the end, so a run that never needs it resolves
    nothing early.
    """

    def __init__(self, target: Path, settings: Callable[[], HarnessConfig]) -> None:
        self.target, self.settings = target, settings
        self.reports: list[pytest.TestReport] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.reports.append(report)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if hasattr(session.config, "workerinput"):
            return
        cfg = self.settings()
        scenarios = [{"id": r.nodeid, "outcome": r.outcome, "reason": _reason(r)} for r in self.reports]
        data = {
            "run_id": os.environ.get("STRIPE_COMPAT_RUN_ID"),
            "stripe": stripe_version(),
            "api_version": cfg.api_version,
            "backend": cfg.backend.value,
            "exitstatus": int(exitstatus),
            "counts": {k: sum(s["outcome"] == k for s in scenarios) for k in ("passed", "failed", "skipped")},
            "scenarios": scenarios,
        }
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.target.write_text(json.dumps(data, indent=2) + "\n")
