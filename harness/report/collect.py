"""Collecting a cell's scenario outcomes during a pytest run and writing its result file.

The plugin registers a :class:`ResultsWriter` for ``--stripe-results``; the report
reads what it writes (:mod:`harness.report.results`). Besides each scenario's outcome
the file records what an honest verdict needs to know about the run itself: which run
it belongs to, how many scenarios were known and how many were selected (``-k``, ``-m``,
``--lf`` deselect), and errors apart from failures.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..account_state import relaxed
from ..config import HarnessConfig
from ..stripe_http import stripe_version
from .record import OUTCOMES, RUN_ID_ENV, base_record, write_json

#: A skip whose reason starts with this is "not applicable" (the adapter lacks a
#: capability, the API version predates the feature), not a gap in the proof.
NOT_APPLICABLE = "not applicable"
#: Reasons are kept whole for the report to fold; this only bounds a runaway repr.
MAX_REASON = 20_000


def reason_of(report: pytest.TestReport) -> str:
    """Why a scenario failed or was skipped, in full (the report shows the first line and folds the rest)."""
    if report.passed:
        return ""
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        text = crash.message
    elif isinstance(report.longrepr, tuple):  # a skip: (file, line, reason)
        text = str(report.longrepr[2])
    else:
        text = str(report.longrepr)
    # pytest's prefixes: a rule's sentence or "not applicable: <capability>" is the reason itself.
    text = text.strip().removeprefix("Skipped: ").removeprefix("Failed: ")
    return text[:MAX_REASON]


def outcome_of(report: pytest.TestReport) -> str:
    """The scenario's outcome as the report counts it: setup and teardown failures are errors."""
    if report.skipped:
        return "not_applicable" if reason_of(report).startswith(NOT_APPLICABLE) else "skipped"
    if report.failed:
        return "failed" if report.when == "call" else "error"
    return "passed"


class ResultsWriter:
    """Collects each scenario's outcome and writes the cell's JSON for the report.

    An object per run rather than module state, so runs inside one process (pytester,
    IDEs) never mix their results. Under xdist only the controller writes. The harness
    configuration is asked for only at the end, so a run that never needs it resolves
    nothing early.
    """

    def __init__(self, target: Path, settings: Callable[[], HarnessConfig]) -> None:
        self.target, self.settings = target, settings
        self.scenarios: dict[str, dict[str, Any]] = {}
        self.selected = 0
        self.deselected = 0

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.selected = len(session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        # Under xdist the controller collects nothing; each worker reports what it selected.
        self.selected = max(self.selected, len(ids))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or not report.passed:
            entry = {"id": report.nodeid, "outcome": outcome_of(report), "reason": reason_of(report),
                     "relaxed": relaxed(report)}
            known = self.scenarios.get(report.nodeid)
            # A teardown error after a failure keeps the failure: it is the first thing that broke.
            if known is None or known["outcome"] in ("passed", "skipped", "not_applicable"):
                self.scenarios[report.nodeid] = entry

    def _selection(self, config: pytest.Config) -> dict[str, Any]:
        return {
            "keyword": getattr(config.option, "keyword", "") or "",
            "markexpr": getattr(config.option, "markexpr", "") or "",
            "maxfail": getattr(config.option, "maxfail", 0) or 0,
            "last_failed": bool(getattr(config.option, "lf", False)),
        }

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if hasattr(session.config, "workerinput"):
            return
        cfg = self.settings()
        scenarios = list(self.scenarios.values())
        selection = self._selection(session.config)
        # xdist workers deselect out of the controller's sight: with a filter, how many is unknown.
        distributed = getattr(session.config.option, "dist", "no") != "no"
        filtered = any(selection[k] for k in ("keyword", "markexpr", "last_failed"))
        deselected = None if distributed and filtered else self.deselected
        data = base_record(stripe_version(), cfg.api_version, cfg.backend.value, os.environ.get(RUN_ID_ENV))
        data.update({
            "status": "ran",
            "exitstatus": int(exitstatus),
            "collected": self.selected + (deselected or 0),
            "selected": self.selected,
            "deselected": deselected,
            "selection": selection,
            "counts": {k: sum(s["outcome"] == k for s in scenarios) for k in OUTCOMES},
            "scenarios": scenarios,
        })
        write_json(self.target, data)
