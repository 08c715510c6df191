"""What the recording flow writes, refuses and says, against an in-memory server."""

from __future__ import annotations

from pathlib import Path

from harness.backends.base import HandlerBackend, Request, Response
from harness.backends.recorder import Recorder
from harness.cassettes.store import CassetteFile
from harness.record_flow import Recorded, finish

REQUESTED = "2025-03-31.basil"


def _server(answered: str) -> HandlerBackend:
    def handle(request: Request) -> Response:
        if request.path == "/v1/events":
            return Response.from_json(200, {"data": [], "has_more": False})
        return Response.from_json(200, {"id": "cus_1", "object": "customer"}, {"Stripe-Version": answered})

    return HandlerBackend(handle)


def _record(answered: str, path: Path, *, outcome: str = "failed", reason: str = "repair: …; …") -> Recorded:
    recorder = Recorder(_server(answered), api_version=REQUESTED, stripe_python="16.1.0")
    recorder.handle_request(Request("POST", "https://api.stripe.com/v1/customers", {}, b"email=a%40example.com"))
    return finish(recorder, path, "test_x", outcome=outcome, reason=reason, api_key="sk_test_x")


def test_a_failed_scenario_is_written_with_its_outcome_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    recorded = _record(REQUESTED, path)

    assert (recorded.status, recorded.outcome) == ("written", "failed")
    meta = CassetteFile.read(path).metadata
    assert meta is not None
    assert (meta.outcome, meta.reason) == ("failed", "repair: …; …")


def test_answers_at_another_api_version_are_never_filed_under_the_requested_one(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    recorded = _record("2024-06-20", path)

    assert recorded.status == "not written"
    assert "answered at 2024-06-20, not the requested 2025-03-31.basil" in recorded.why
    assert not path.exists()


def test_a_scenario_that_never_reached_stripe_writes_nothing_and_says_so(tmp_path: Path) -> None:
    recorder = Recorder(_server(REQUESTED), api_version=REQUESTED, stripe_python="16.1.0")
    recorded = finish(recorder, tmp_path / "c.json", "test_x", outcome="passed", reason="", api_key="sk_test_x")
    assert (recorded.status, recorded.why) == ("not written", "made no Stripe request")


def test_the_same_recording_again_is_unchanged_and_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    _record(REQUESTED, path)
    before = path.read_bytes()

    again = _record(REQUESTED, path)

    assert again.status == "unchanged"
    assert path.read_bytes() == before  # not even the recorded_at stamp moved
