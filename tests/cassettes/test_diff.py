"""``cassettes diff``: two recordings of the same scenarios are identical; a changed conversation is not."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest
from vcr.serialize import serialize
from vcr.serializers import jsonserializer

from harness import recording
from harness.cassettes import cli
from harness.cassettes.diff import diff_cassettes
from harness.cassettes.store import CassetteFile, cassette_files
from harness.errors import ConfigError
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


def _full_bodied(path: Path) -> str:
    """The cassette at ``path`` as the harness wrote it before shared bases: vcrpy's JSON, every body in full."""
    cassette = CassetteFile.read(path)
    data = {"requests": [r for r, _ in cassette.interactions], "responses": [s for _, s in cassette.interactions]}
    data["metadata"] = {"stripe_compat": cassette.metadata.to_dict(), "stripe_compat_events": cassette.events}
    return serialize(data, jsonserializer)


@pytest.fixture(scope="module")
def recorded_twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    roots = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    for root in roots:
        assert _command("record", "--api-version", VERSION, "-k", "lazy or repair", "--cassettes", str(root)) == 0
    return roots[0] / VERSION, roots[1] / VERSION


def test_recording_twice_gives_identical_cassettes(recorded_twice: tuple[Path, Path]) -> None:
    first, second = recorded_twice
    assert len(cassette_files(first)) == 5
    assert list((first / "_shared").glob("*.json")), "the recorder writes the shared form"
    assert _command("cassettes", "diff", str(first), str(second)) == 0
    assert (first / LAZY).read_bytes() != (second / LAZY).read_bytes()  # the ids did change


def _edited(cassette: CassetteFile) -> CassetteFile:
    """The cassette with a field renamed in every response and an amount changed in the requests."""
    interactions = []
    for request, response in cassette.interactions:
        if request.body:
            request.body = request.body.replace(b"amount=1500", b"amount=1600")
        body = response["body"]["string"].replace(b"amount_overpaid", b"amount_overpaid_v2")
        interactions.append((request, {**response, "body": {"string": body}}))
    return CassetteFile(interactions, cassette.metadata, cassette.events)


def test_a_changed_field_and_request_are_reported(recorded_twice: tuple[Path, Path], tmp_path: Path) -> None:
    first, _ = recorded_twice
    copy = tmp_path / VERSION
    shutil.copytree(first, copy)
    _edited(CassetteFile.read(copy / LAZY)).write(copy / LAZY)  # written in the shared form, over the copy's bases
    found = diff_cassettes(first / LAZY, copy / LAZY)
    assert any("field added $.amount_overpaid_v2" in line for line in found)
    assert any("field removed $.amount_overpaid " in line for line in found)
    assert any(line.startswith("request 3 changed") and "amount=1600" in line for line in found)
    assert _command("cassettes", "diff", str(first / LAZY), str(copy / LAZY)) == 1
    assert _command("cassettes", "diff", str(first), str(copy)) == 1


def test_a_cassette_copied_out_of_its_folder_is_one_error_that_says_compare_the_folders(
    recorded_twice: tuple[Path, Path], tmp_path: Path
) -> None:
    first, second = recorded_twice
    alone = tmp_path / "alone.json"
    shutil.copy(first / LAZY, alone)
    with pytest.raises(ConfigError, match=r"compare the folders instead \(stripe-compat cassettes diff OLD_FOLDER"):
        _command("cassettes", "diff", str(alone), str(second / LAZY))


def test_a_compacted_folder_is_identical_to_the_one_recorded(recorded_twice: tuple[Path, Path], tmp_path: Path) -> None:
    first, _ = recorded_twice
    copy = tmp_path / VERSION
    shutil.copytree(first, copy)
    shutil.rmtree(copy / "_shared")  # rebuilt from the recordings by compact, below, from a full-bodied copy
    for path in cassette_files(first):
        (copy / path.relative_to(first)).write_text(_full_bodied(path))
    assert _command("cassettes", "compact", str(copy)) == 0
    assert _command("cassettes", "diff", str(first), str(copy)) == 0
    assert _command("cassettes", "diff", str(copy), str(first)) == 0


def test_events_are_stored_with_the_cassette_in_order(recorded_twice: tuple[Path, Path]) -> None:
    first, _ = recorded_twice
    events = CassetteFile.read(first / LAZY).events
    assert [e["type"] for e in events] == [
        "customer.created", "invoice.created", "invoiceitem.created", "invoiceitem.created", "invoice.finalized",
    ]
    assert all(e["api_version"] == VERSION for e in events)
    assert "paid" not in events[-1]["data"]["object"]  # rendered at basil, like the responses
