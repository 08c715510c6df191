"""``upgrade`` flags each catalogue change for an integration that relies on the old behaviour.

Each planted integration (tests/upgrade/planted.py) differs from the reference one in one call;
the upgrade check replays the committed cassettes in both cells (same library release, so only
the API version moves; ~10 s a run once the cell venv exists).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASIL, ENDIVE, OLD = "16.1.0@2025-03-31.basil", "16.1.0@2026-10-28.endive", "16.1.0@2020-08-27"


def _upgrade(adapter: str, source: str, target: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["upgrade", "--from", source, "--to", target, "--adapter", f"tests.upgrade.planted:{adapter}"])
    return code, capsys.readouterr().out


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_payment_method_types_on_a_setup_intent_breaks_exactly_at_endive(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _upgrade("ExplicitTypes", BASIL, ENDIVE, capsys)

    assert code == 1, out
    assert f"from {BASIL}: SAFE" in out
    target = out[out.index(f"to {ENDIVE}"):]
    assert "test_setup_intent_card.py::test_a_card_saved_through_a_setup_intent_with_explicit_types" in target


def test_reading_discount_coupon_breaks_from_clover(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _upgrade("OldDiscount", BASIL, ENDIVE, capsys)

    assert code == 1, out
    assert f"from {BASIL}: SAFE" in out
    assert "test_customer_discount.py::test_the_integration_reads_the_coupon_of_a_customers_discount" in out


def test_reading_payment_intent_charges_breaks_after_2022_11_15(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _upgrade("ReadsCharges", OLD, "16.1.0@2023-10-16", capsys)

    assert code == 1, out
    assert f"from {OLD}: SAFE" in out
    assert "test_webhooks.py::test_in_order_over_http" in out


def test_reading_customer_sources_fails_at_every_version_since_2020(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _upgrade("ReadsSources", OLD, BASIL, capsys)

    assert code == 1, out
    # Broken before the upgrade already (Stripe never sent it) and after: the repair that looks
    # for an existing customer reads it.
    assert f"from {OLD}: SAFE" not in out
    assert f"to {BASIL}: SAFE" not in out
    assert "test_faults.py::test_payment_flows_survive_the_fault_at_every_call_and_converge" in out


def test_reading_customer_balance_is_safe_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _upgrade("ReadsBalance", OLD, ENDIVE, capsys)

    assert code == 0, out
    assert f"from {OLD}: SAFE" in out
