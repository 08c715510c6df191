"""Cassettes stored against shared bases: they read back exactly, fail clearly, and compact idempotently."""

from __future__ import annotations

import argparse
import json
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from vcr.serialize import serialize
from vcr.serializers import jsonserializer

from harness.backends.base import HandlerBackend, Request, Response
from harness.backends.recorder import Recorder
from harness.cassettes import cli
from harness.cassettes.compact import compact
from harness.cassettes.references import changes_between
from harness.cassettes.scan import scan
from harness.cassettes.shared import SHARED_DIR, BasePool, forget_bases
from harness.cassettes.store import CassetteFile, cassette_files
from harness.config import rerecord_command
from harness.errors import ConfigError, DamagedCassette, MissingBase

ROOT = Path(__file__).resolve().parents[2]
VERSION = "2024-06-20"
COMMITTED = ROOT / "cassettes" / VERSION
STORM = "test_webhooks/test_storm.json"
LAZY = "test_lazy_customer/test_invoice_for_user_without_customer_creates_it_first.json"
CUSTOMERS = "https://api.stripe.com/v1/customers"
FAULT = "test_faults/test_payment_flows_survive_the_fault_at_every_call_and_converge_timeout.json"


def _content(cassette: CassetteFile) -> tuple[Any, ...]:
    return [(r._to_dict(), s) for r, s in cassette.interactions], cassette.metadata, cassette.events


def _full_bodied(cassette: CassetteFile) -> str:
    """The cassette as the harness wrote it before shared bases: vcrpy's JSON, indented by four, bodies in full."""
    data = {"requests": [r for r, _ in cassette.interactions], "responses": [s for _, s in cassette.interactions]}
    data["metadata"] = {"stripe_compat": cassette.metadata.to_dict(), "stripe_compat_events": cassette.events}
    return serialize(data, jsonserializer)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three committed cassettes of one API version, written the old way (full bodies) in a fresh folder."""
    forget_bases()
    target = tmp_path / "cassettes" / VERSION
    for name in (STORM, LAZY, FAULT):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(_full_bodied(CassetteFile.read(COMMITTED / name)))
    return target


def _references(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text())
    bodies = [i["response"]["body"] for i in data["interactions"]]
    return [b for b in [*bodies, *data["metadata"].get("stripe_compat_events", [])] if "base" in b]


def test_a_cassette_written_and_read_back_holds_the_same_interactions_and_events(folder: Path) -> None:
    old = {name: _content(CassetteFile.read(folder / name)) for name in (STORM, LAZY)}
    for name in (STORM, LAZY):
        CassetteFile.read(folder / name).write(folder / name)
    forget_bases()
    for name in (STORM, LAZY):
        assert _content(CassetteFile.read(folder / name)) == old[name]
        references = _references(folder / name)
        assert references, "bodies and events are stored as references"
        shared = [r["base"] for r in references if not r["base"].startswith("/")]
        assert all((folder / SHARED_DIR / base).is_file() for base in shared)
    # within a cassette, an event's object is the body a response returned: copied, not repeated
    copied = [r.get("copied", {}).get("/data/object", "") for r in _references(folder / STORM)]
    assert any(source.startswith("/interactions/") for source in copied)


def test_the_file_is_one_interaction_per_line_with_field_level_changes(folder: Path) -> None:
    CassetteFile.read(folder / LAZY).write(folder / LAZY)
    lines = (folder / LAZY).read_text().splitlines()
    data = json.loads((folder / LAZY).read_text())
    assert list(data) == ["version", "interactions", "metadata"]  # still a vcrpy JSON cassette
    assert len(lines) == len(data["interactions"]) + len(data["metadata"]["stripe_compat_events"]) + 10
    interactions = [json.loads(line.rstrip(",")) for line in lines[3 : 3 + len(data["interactions"])]]
    assert interactions == data["interactions"]
    changed = [i["response"]["body"]["changes"] for i in interactions if i["response"]["body"].get("changes")]
    assert changed
    assert all(isinstance(c, dict) and all(p.startswith("/") for p in c) for c in changed)
    assert any(c.get("/id", "").startswith(("cus_", "in_", "ii_")) for c in changed)


def test_a_cassette_in_the_old_format_reads_exactly_as_before(folder: Path) -> None:
    text = (folder / FAULT).read_text()
    assert '"base"' not in text
    assert text.startswith('{\n    "version": 1')
    assert _content(CassetteFile.read(folder / FAULT)) == _content(CassetteFile.read(COMMITTED / FAULT))


def test_a_missing_base_is_one_error_naming_the_cassette_the_base_and_the_fix(folder: Path) -> None:
    CassetteFile.read(folder / LAZY).write(folder / LAZY)
    base = next(r["base"] for r in _references(folder / LAZY) if not r["base"].startswith("/"))
    (folder / SHARED_DIR / base).unlink()
    forget_bases()
    with pytest.raises(MissingBase) as caught:
        CassetteFile.read(folder / LAZY)
    message = str(caught.value)
    assert str(folder / LAZY) in message
    assert base in message
    assert f"git checkout -- {folder / SHARED_DIR / base}" in message
    assert f"re-record it: {rerecord_command(VERSION, LAZY.split('/')[1][:-5])}" in message


def test_a_base_changed_by_hand_is_a_damaged_cassette_not_wrong_bodies(folder: Path) -> None:
    CassetteFile.read(folder / LAZY).write(folder / LAZY)
    base = next(r["base"] for r in _references(folder / LAZY) if not r["base"].startswith("/"))
    path = folder / SHARED_DIR / base
    path.write_text(path.read_text().replace("false", "true", 1))
    forget_bases()
    with pytest.raises(DamagedCassette, match=r"no longer matches its name") as caught:
        CassetteFile.read(folder / LAZY)
    assert f"git checkout -- {folder / LAZY} {path}" in str(caught.value)


def test_two_writers_adding_the_same_base_at_once_leave_one_good_file(tmp_path: Path) -> None:
    doc = json.loads(CassetteFile.read(COMMITTED / LAZY).interactions[-1][1]["body"]["string"])
    shared = tmp_path / SHARED_DIR
    for _ in range(20):
        start = threading.Barrier(8)
        names: list[str] = []

        def add(start: threading.Barrier = start, names: list[str] = names) -> None:
            start.wait()
            names.append(BasePool(shared).add(doc))

        threads = [threading.Thread(target=add) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(names)) == 1
        assert [p.name for p in shared.iterdir()] == names[:1]  # no second copy, no temporary file left
        forget_bases()
        assert BasePool(shared).parsed(names[0]) == doc
        shutil.rmtree(shared)


def test_compact_converts_verifies_prunes_and_is_idempotent(folder: Path) -> None:
    before = {p: _content(CassetteFile.read(p)) for p in cassette_files(folder)}
    size = sum(p.stat().st_size for p in cassette_files(folder))
    (folder / SHARED_DIR).mkdir()
    unused = BasePool(folder / SHARED_DIR).add({"object": "customer", "id": "cus_nobody", "email": "x@example.com"})
    outcome = compact([folder.parent])
    assert not outcome.refused
    assert not (folder / SHARED_DIR / unused).exists()
    assert "3 rewritten" in outcome.lines[0]
    assert "1 unused removed" in outcome.lines[0]
    forget_bases()
    assert {p: _content(CassetteFile.read(p)) for p in cassette_files(folder)} == before
    files = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    again = compact([folder])
    assert "0 rewritten" in again.lines[0]
    assert "0 unused removed" in again.lines[0]
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == files
    assert sum(len(b) for b in files.values()) < size / 3


def test_compact_usage_errors_are_one_message(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist: pass a cassettes root or an API version folder"):
        compact([tmp_path / "nowhere"])
    with pytest.raises(ConfigError, match="holds no JSON cassette"):
        compact([tmp_path])


def test_scan_finds_a_secret_planted_in_a_shared_base(folder: Path) -> None:
    compact([folder])
    BasePool(folder / SHARED_DIR).add({"object": "customer", "description": "sk_live_51Habcdefghijklmnop"})
    count, findings = scan([folder.parent])
    assert count == len(list(folder.rglob("*.json")))
    assert [f.kind for f in findings if SHARED_DIR in f.path.parts] == ["API key"]


def test_diff_of_a_compacted_folder_against_the_original_says_identical(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = tmp_path / "original" / VERSION
    shutil.copytree(folder, original)
    compact([folder])
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["cassettes", "diff", str(original), str(folder)])
    assert args.func(args) == 0
    assert "3 recording(s) identical" in capsys.readouterr().out


def test_changes_never_shift_list_indices() -> None:
    base = {"lines": {"data": [{"id": "il_1", "amount": 1}]}, "id": "in_1"}
    doc = {"lines": {"data": [{"id": "il_0", "amount": 5}, {"id": "il_2", "amount": 1}]}, "id": "in_2"}
    assert changes_between(base, doc) == {"changes": {"/lines/data": doc["lines"]["data"], "/id": "in_2"}}


def test_recording_the_same_traffic_again_in_the_shared_form_is_unchanged(tmp_path: Path) -> None:
    customer = CassetteFile.read(COMMITTED / LAZY).interactions[0][1]["body"]["string"]
    path = tmp_path / VERSION / "test_x" / "test_y.json"

    def record() -> bool:
        def handle(request: Request) -> Response:
            return Response(200, {"Stripe-Version": VERSION}, customer)

        recorder = Recorder(HandlerBackend(handle), api_version=VERSION, stripe_python="16.1.0")
        for _ in range(3):
            recorder.handle_request(Request("POST", CUSTOMERS, {}, b"email=a%40example.com"))
        return recorder.commit(path, "tests::scenario")

    assert record()
    written = path.read_bytes()
    assert [r["base"] for r in _references(path)][1:] == ["/interactions/0/response/body"] * 2  # no changes at all
    forget_bases()
    assert not record()  # compared as resolved: the same bodies, though stored as references
    assert path.read_bytes() == written
