"""The upgrade check: known causes, break classification, and the 7.x -> 16.x demo on real venvs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import ConfigError
from harness.matrix import Cell
from harness.report.results import CellResult
from harness.upgrade.causes import explain, load_causes
from harness.upgrade.compare import breaks, classify

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("reason", "expected"), [
    ("AttributeError: 'get' is a dict method, but a ListObject is not a dict. Use .to_dict()", "no longer a dict"),
    ("AttributeError: module 'stripe' has no attribute 'error'", "restored as an attribute alias in 14.0.1"),
    ("KeyError: 'subscription'", "parent.subscription_details"),
    ("InvalidRequestError: Nothing to invoice for customer", "pending_invoice_items_behavior"),
    ("Failed: No recorded response for GET /v1/customers", "cassettes do not have"),
])
def test_each_known_cause_explains_its_failure(reason: str, expected: str) -> None:
    cause = explain(reason)
    assert cause is not None
    assert expected in cause.explanation
    assert cause.source


def test_known_causes_all_have_a_source_and_unknown_reasons_stay_unexplained() -> None:
    assert all(c.source and c.explanation for c in load_causes())
    assert explain("assert 'ready' == 'failed'") is None


@pytest.mark.parametrize(("reason", "kind"), [
    ("Failed: contract violation: POST /v1/customers: blocker: $.id", "contract violation"),
    ("Failed: No recorded response for GET /v1/customers", "no recorded response"),
    ("AttributeError: 'get' is a dict method", "library exception"),
    ("stripe._error.InvalidRequestError: Nothing to invoice", "library exception"),
    ("AssertionError: repair failed", "assertion"),
    ("assert 2 == 1", "assertion"),
])
def test_classify(reason: str, kind: str) -> None:
    assert classify(reason) == kind


def _result(stripe: str, failing: dict[str, str]) -> CellResult:
    scenarios = [{"id": k, "outcome": "failed", "reason": v} for k, v in failing.items()]
    return CellResult(Cell(stripe, "2023-10-16"), 3, len(failing), 0, 1 if failing else 0, scenarios)


def test_breaks_mark_scenarios_that_already_failed_before() -> None:
    before = _result("7.14.0", {"a": "assert 1 == 2"})
    after = _result("13.2.0", {"a": "assert 1 == 2", "b": "AttributeError: module 'stripe' has no attribute 'error'"})
    found = {b.scenario: b for b in breaks(before, after)}
    assert found["a"].already_failing
    assert not found["b"].already_failing
    assert found["b"].cause is not None
    assert found["b"].kind == "library exception"


def test_same_cell_or_unknown_api_version_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["upgrade", "--from", "7.14.0@2023-10-16", "--to", "7.14.0@2023-10-16"]) == 2
    assert main(["upgrade", "--from", "7.14.0@2023-10-16", "--to", "16.1.0@2099-01-01"]) == 2
    assert "unknown API version" in capsys.readouterr().err


def test_legacy_integration_breaks_on_16x_and_the_check_names_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo: 7.14.0@2023-10-16 -> 16.1.0@2026-10-28.endive with dict-style reads (~15 s once venvs exist)."""
    monkeypatch.chdir(ROOT)
    code = main([
        "upgrade", "--from", "7.14.0@2023-10-16", "--to", "16.1.0@2026-10-28.endive",
        "--adapter", "examples.legacy_integration.adapter:LegacyAdapter",
    ])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("UPGRADE 7.14.0@2023-10-16 -> 16.1.0@2026-10-28.endive: BREAKS")
    assert "from 7.14.0@2023-10-16: SAFE" in out
    assert "way back 7.14.0@2026-10-28.endive: SAFE" in out  # the old library copes with the new API version
    target = out[out.index("to 16.1.0@2026-10-28.endive"): out.index("way back")]
    assert "[library exception]" in target
    assert "test_lazy_customer.py::test_first_card_creates_one_customer_and_sets_default" in target
    # One cause explains most breaks: it is said once, with the scenarios it explains.
    assert re.search(r"known cause \(\d+ scenarios\): StripeObject is no longer a dict since stripe 15\.0", target)
    assert target.count("StripeObject is no longer a dict since stripe 15.0") == 1
    assert "invoice      paid                         removed" in out  # the contracts diff is included
    unrun = out[out.index("also in code the scenarios do not run"):]
    assert "examples/legacy_integration/gateway.py:" in unrun
    assert "invoice.paid was removed (API 2025-03-31.basil)" in unrun


def _passing(cell: Cell, **_: object) -> CellResult:
    return CellResult(cell, 35, 0, 0, 0, [{"id": "s", "outcome": "passed", "reason": ""}])


def test_upgrade_is_not_safe_when_code_the_scenarios_do_not_run_breaks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every scenario passes on both ends; the scan still finds the legacy code's breaks, so exit 1."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("harness.upgrade.cli.run_cell", _passing)
    upgrade = ["upgrade", "--from", "7.14.0@2023-10-16", "--to", "16.1.0@2026-10-28.endive"]
    assert main([*upgrade, "--adapter", "examples.legacy_integration.adapter:LegacyAdapter"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("UPGRADE 7.14.0@2023-10-16 -> 16.1.0@2026-10-28.endive: BREAKS: every scenario passes, "
                          "but code they do not run breaks")
    assert "also in code the scenarios do not run: 9 break(s), 1 warning(s) in 3 file(s)" in out
    assert "  examples/legacy_integration/gateway.py:" in out
    assert main([*upgrade, "--json"]) == 0  # the reference integration: nothing the scenarios miss
    data = json.loads(capsys.readouterr().out)
    assert data["safe"] is True
    assert data["not_run_by_scenarios"] == []
    # An adapter installed from elsewhere cannot be read: said, not fatal.
    monkeypatch.setattr("harness.upgrade.cli.adopter_package", _not_here)
    assert main(upgrade) == 0
    assert "also in code the scenarios do not run: not scanned: cannot find the adapter's package" in \
        capsys.readouterr().out


def _not_here(*_: object) -> Path:
    raise ConfigError("cannot find the adapter's package site/pkg")
