"""``cassettes diff``: two recordings of the same scenarios are identical; a changed conversation is not."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from harness import recording
from harness.cassettes import cli
from harness.cassettes.diff import diff_cassettes
from harness.cassettes.store import CassetteFile
from tests.requires import require

require("localstripe", "pip install 'stripe-compat[localstripe]'")

VERSION = "2025-03-31.basil"
LAZY = "test_lazy_customer/test_invoice_for_user_without_customer_creates_it_first.json"


def _command(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers()
    cli.register(subparsers)
    recording.register(subparsers)
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.fixture(scope="module")
def recorded_twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    roots = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    for root in roots:
        assert _command("record", "--api-version", VERSION, "-k", "lazy or repair", "--cassettes", str(root)) == 0
    return roots[0] / VERSION, roots[1] / VERSION


def test_recording_twice_gives_identical_cassettes(recorded_twice: tuple[Path, Path]) -> None:
    first, second = recorded_twice
    assert len(list(first.rglob("*.json"))) == 5
    assert _command("cassettes", "diff", str(first), str(second)) == 0
    assert (first / LAZY).read_bytes() != (second / LAZY).read_bytes()  # the ids did change


def test_a_changed_field_and_request_are_reported(recorded_twice: tuple[Path, Path], tmp_path: Path) -> None:
    first, _ = recorded_twice
    changed = tmp_path / "changed.json"
    shutil.copy(first / LAZY, changed)
    text = changed.read_text()
    changed.write_text(text.replace("amount_overpaid", "amount_overpaid_v2").replace("amount=1500", "amount=1600"))
    found = diff_cassettes(first / LAZY, changed)
    assert any("field added $.amount_overpaid_v2" in line for line in found)
    assert any("field removed $.amount_overpaid " in line for line in found)
    assert any(line.startswith("request 3 changed") and "amount=1600" in line for line in found)
    assert _command("cassettes", "diff", str(first / LAZY), str(changed)) == 1


def test_events_are_stored_with_the_cassette_in_order(recorded_twice: tuple[Path, Path]) -> None:
    first, _ = recorded_twice
    events = CassetteFile.read(first / LAZY).events
    assert [e["type"] for e in events] == [
        "customer.created", "invoice.created", "invoiceitem.created", "invoiceitem.created", "invoice.finalized",
    ]
    assert all(e["api_version"] == VERSION for e in events)
    assert "paid" not in events[-1]["data"]["object"]  # rendered at basil, like the responses
