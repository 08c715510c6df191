"""The results writer under a real pytest run: selection, errors apart from failures, not applicable."""

from __future__ import annotations

import json
import os

import pytest

pytest_plugins = ["pytester"]

PYPROJECT = """
[tool.stripe-compat]
cassettes = "cassettes"

[tool.stripe-compat.matrix]
stripe = ["16.1.0"]
api_versions = ["2025-03-31.basil"]
"""

SCENARIOS = """
import pytest

@pytest.fixture
def broken():
    raise RuntimeError("the fixture could not build the integration")

def test_lazy_ok():
    pass

def test_lazy_fails():
    assert 1 == 2, "the integration sent two customers"

def test_setup_error(broken):
    pass

@pytest.mark.skip(reason="not applicable: refunds (the adapter has no refund method)")
def test_refund():
    pass

@pytest.mark.skip(reason="stripe-mock: stateless")
def test_skipped():
    pass

def test_other():
    pass
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    pytester.makefile(".toml", pyproject=PYPROJECT)
    pytester.makepyfile(test_scenarios=SCENARIOS)
    monkeypatch.setenv("STRIPE_COMPAT_RUN_ID", "run-42")
    return pytester


def test_the_file_counts_errors_apart_from_failures_and_not_applicable_apart_from_skips(
    project: pytest.Pytester,
) -> None:
    out = project.path / "results.json"
    project.runpytest("--stripe-api-version=2025-03-31.basil", f"--stripe-results={out}")
    data = json.loads(out.read_text())
    assert data["run_id"] == "run-42"
    assert data["counts"] == {"passed": 2, "failed": 1, "error": 1, "skipped": 1, "not_applicable": 1}
    assert (data["collected"], data["selected"], data["deselected"]) == (6, 6, 0)
    by_id = {s["id"].split("::")[1]: s for s in data["scenarios"]}
    assert by_id["test_setup_error"]["reason"].startswith("RuntimeError: the fixture could not build")
    assert by_id["test_refund"]["reason"] == "not applicable: refunds (the adapter has no refund method)"
    assert "the integration sent two customers" in by_id["test_lazy_fails"]["reason"]
    assert not [p for p in os.listdir(project.path) if p.endswith(".tmp")]


def test_deselected_scenarios_are_counted_so_the_report_can_say_filtered(project: pytest.Pytester) -> None:
    out = project.path / "results.json"
    project.runpytest("--stripe-api-version=2025-03-31.basil", f"--stripe-results={out}", "-k", "lazy")
    data = json.loads(out.read_text())
    assert (data["collected"], data["selected"], data["deselected"]) == (6, 2, 4)
    assert data["selection"]["keyword"] == "lazy"
    assert len(data["scenarios"]) == 2


def test_a_stopped_run_records_fewer_outcomes_than_selected(project: pytest.Pytester) -> None:
    out = project.path / "results.json"
    project.runpytest("--stripe-api-version=2025-03-31.basil", f"--stripe-results={out}", "-x", "-p", "no:randomly")
    data = json.loads(out.read_text())
    assert data["selected"] == 6
    assert len(data["scenarios"]) < 6
    assert data["selection"]["maxfail"] == 1


def test_under_xdist_a_filter_is_recorded_as_deselecting_an_unknown_number(project: pytest.Pytester) -> None:
    out = project.path / "results.json"
    project.runpytest("--stripe-api-version=2025-03-31.basil", f"--stripe-results={out}", "-n", "2", "-k", "lazy")
    data = json.loads(out.read_text())
    assert data["selected"] == 2
    assert data["deselected"] is None  # the workers deselected; the controller cannot count it
    assert len(data["scenarios"]) == 2
