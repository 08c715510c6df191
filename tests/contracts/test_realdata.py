"""Real Stripe recordings (tests/data/realdata/SOURCES.md): no false alarms, and the basil break is seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.contracts import load_contracts
from harness.contracts.payloads import read_payloads

from .helpers import REALDATA, first_object

RECORDINGS = sorted(p for p in REALDATA.rglob("*") if p.suffix in (".json", ".yml"))


def _version_of(body: object, recorded: str | None) -> str | None:
    if recorded:
        return recorded
    if not isinstance(body, dict):
        return None
    events = body["data"] if body.get("object") == "list" else [body]
    return next((e.get("api_version") for e in events if isinstance(e, dict) and e.get("object") == "event"), None)


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: str(p.relative_to(REALDATA)))
def test_real_recording_passes_its_own_versions_contracts(path: Path) -> None:
    checked = 0
    for payload in read_payloads(path):
        version = _version_of(payload.body, payload.recorded_version)
        if version is None:
            continue
        checked += 1
        assert load_contracts(version).violations(payload.body) == [], payload.location
    assert checked, f"{path} has no payload with an API version"


def test_basil_invoice_fails_the_2024_06_20_contracts_on_the_fields_that_changed() -> None:
    basil_shaped = first_object(
        "invoice", "2025-10-29.clover"
    )  # no basil-era invoice is recorded; clover keeps basil's shape
    found = {(v.path, v.expected) for v in load_contracts("2024-06-20").violations(basil_shaped)}
    assert found == {
        ("$.paid", "a required property"),
        ("$.paid_out_of_band", "a required property"),
        ("$.total_tax_amounts", "a required property"),
        ("$.lines.data[0].proration", "a required property"),
        ("$.lines.data[0].type", "a required property"),
    }


def test_2024_06_20_invoice_fails_the_basil_contracts_on_the_fields_that_changed() -> None:
    old = first_object("invoice", "2024-06-20")
    found = load_contracts("2025-03-31.basil").violations(old)
    paths = {v.path for v in found}
    assert {
        "$.parent",
        "$.amount_overpaid",
        "$.total_taxes",
        "$.paid",
        "$.payment_intent",
        "$.charge",
        "$.subscription",
        "$.lines.data[0].parent",
        "$.lines.data[0].pricing",
        "$.lines.data[0].price",
    } <= paths
    moved = next(v for v in found if v.path == "$.subscription")
    assert "parent.subscription_details.subscription" in moved.expected
    assert {v.severity for v in found} == {"warning"}  # the reference integration reads none of these
