"""Collecting a cell's scenario outcomes during a pytest run and writing its result file.

The plugin registers a :class:`ResultsWriter` for ``--stripe-results``; the report
reads what it writes (:mod:`harness.report.results`). Besides each scenario's outcome
the file records what an honest verdict needs to know about the run itself: which run
it belongs to, how many scenarios were known and how many were selected (``-k``, ``-m``,
``--lf`` deselect), and errors apart from failures.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..config import HarnessConfig
from ..stripe_http import stripe_version

#: Bumped when a field's meaning changes; the report reads every version so far.
FORMAT = 2
#: A skip whose reason starts with this is "not applicable" (the adapter lacks a
#: capability, the API version predates the feature), not a gap in the proof.
NOT_APPLICABLE = "not applicable"
#: Reasons are kept whole for the report to fold; this only bounds a runaway repr.
MAX_REASON = 20_000
#: Set by the nox sessions (and the CI workflow) so every cell of one run carries the same id.
RUN_ID_ENV = "STRIPE_COMPAT_RUN_ID"
OUTCOMES = ("passed", "failed", "error", "skipped", "not_applicable")


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


def write_json(target: Path, data: dict[str, Any]) -> None:
    """Write through a temporary file beside the target, so a killed run never leaves half a result.

    The temporary name does not end in ``.json``, so the report never reads one left behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, target)


def base_record(stripe: str, api_version: str, backend: str, run_id: str | None) -> dict[str, Any]:
    """The fields every result file starts with: format, run, cell, when."""
    return {
        "format": FORMAT,
        "run_id": run_id,
        "stripe": stripe,
        "api_version": api_version,
        "backend": backend,
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_install_failure(target: Path, stripe: str, api_version: str, message: str, run_id: str | None) -> None:
    """The result of a cell whose virtualenv could not be built: no scenario ran, and why.

    Written by the compat session when the installer fails, so the report names the
    cell as failed to install (with the installer's own words) instead of "not run".
    """
    data = base_record(stripe, api_version, "replay", run_id)
    data.update({"status": "install_failed", "message": message.strip()[-4000:], "exitstatus": None,
                 "counts": dict.fromkeys(OUTCOMES, 0), "collected": 0, "selected": 0, "deselected": 0,
                 "scenarios": []})
    write_json(target, data)


class ResultsWriter:
    """Collects each scenario's outcome and writes the cell's JSON for the report.

    An object per run rather than module state, so runs inside one process (pytester,
    IDEs) never mix their results. Under xdist only the controller writes. The harness
    configuration is asked for only at the end, so a run that never needs it resolves
    nothing early.
    """

    def __init__(self, target: Path, settings: Callable[[], HarnessConfig]) -> None:
        self.target, self.settings = target, settings
        self.scenarios: dict[str, dict[str, str]] = {}
        self.selected = 0
        self.deselected = 0

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.selected = len(session.items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or not report.passed:
            entry = {"id": report.nodeid, "outcome": outcome_of(report), "reason": reason_of(report)}
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
        data = base_record(stripe_version(), cfg.api_version, cfg.backend.value, os.environ.get(RUN_ID_ENV))
        data.update({
            "status": "ran",
            "exitstatus": int(exitstatus),
            "collected": self.selected + self.deselected,
            "selected": self.selected,
            "deselected": self.deselected,
            "selection": self._selection(session.config),
            "counts": {k: sum(s["outcome"] == k for s in scenarios) for k in OUTCOMES},
            "scenarios": scenarios,
        })
        write_json(self.target, data)
