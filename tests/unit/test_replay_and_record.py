import json
from pathlib import Path

import pytest

from harness.backends.base import HandlerBackend, Request, Response
from harness.backends.recorder import LiveModeRefused, Recorder
from harness.backends.replay import ReplayBackend
from harness.cassettes.store import CassetteFile
from harness.errors import CassetteError, CassetteMiss

API = "2024-06-20"
URL = "https://api.stripe.com/v1/customers"


def _stripe(request: Request) -> Response:
    """A tiny stand-in for Stripe that numbers the customers it creates."""
    _stripe.count += 1  # type: ignore[attr-defined]
    return Response.from_json(
        200,
        {"id": f"cus_{_stripe.count}", "object": "customer", "email": dict(request.form).get("email")},  # type: ignore[attr-defined]
        {"Request-Id": "req_x", "Stripe-Version": API, "Set-Cookie": "s=1"},
    )


def _record(path: Path, *bodies: bytes) -> Recorder:
    _stripe.count = 0  # type: ignore[attr-defined]
    recorder = Recorder(HandlerBackend(_stripe), api_version=API, stripe_python="16.1.0")
    for body in bodies:
        recorder.handle_request(Request("POST", URL, {"Authorization": "Bearer sk_test_secret123456"}, body))
    recorder.commit(path, "tests::scenario")
    return recorder


def test_recording_keeps_no_secret_and_states_how_it_was_made(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    _record(path, b"email=jane%40bigcorp.io")
    text = path.read_text()
    assert "sk_test_secret" not in text
    assert "Authorization" not in text
    assert "bigcorp" not in text
    assert "Set-Cookie" not in text
    meta = CassetteFile.read(path).metadata
    assert meta is not None
    assert meta.backend == "memory"
    assert meta.api_version_requested == API
    assert meta.api_version_answered == API
    assert meta.stripe_python == "16.1.0"


def test_a_failed_scenarios_reason_is_scrubbed_in_the_metadata(tmp_path: Path) -> None:
    recorder = _record(tmp_path / "unused.json", b"name=Ada")
    reason = "assert customer.email == 'jane@bigcorp.io' (sent with sk_live_51Habcdefghij)"
    recorder.commit(tmp_path / "c.json", "tests::scenario", outcome="failed", reason=reason)
    text = (tmp_path / "c.json").read_text()
    assert "bigcorp" not in text
    assert "51Habcdefghij" not in text
    meta = CassetteFile.read(tmp_path / "c.json").metadata
    assert meta is not None
    assert meta.reason.startswith("assert customer.email == 'redacted-")
    assert "sk_live_REDACTED" in meta.reason


def test_replay_plays_identical_requests_in_recorded_order(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    _record(path, b"email=a%40example.com", b"email=a%40example.com")
    replay = ReplayBackend(path, api_version=API, rerecord_hint="rerecord")
    ids = [replay.handle_request(Request("POST", URL, {}, b"email=a%40example.com")).json()["id"] for _ in range(2)]
    assert ids == ["cus_1", "cus_2"]


def test_a_request_with_a_real_address_replays_from_its_scrubbed_recording(tmp_path: Path) -> None:
    # Replay matches a request as sent first and scrubs only when that fails: both paths, in recorded order.
    path = tmp_path / "c.json"
    _record(path, b"email=jane%40bigcorp.io", b"email=a%40example.com", b"email=jane%40bigcorp.io")
    replay = ReplayBackend(path, api_version=API, rerecord_hint="rerecord")
    sent = [b"email=a%40example.com", b"email=jane%40bigcorp.io", b"email=jane%40bigcorp.io"]
    ids = [replay.handle_request(Request("POST", URL, {}, body)).json()["id"] for body in sent]
    assert ids == ["cus_2", "cus_1", "cus_3"]
    assert replay.unplayed == 0


def test_a_miss_names_the_request_the_nearest_recording_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    _record(path, b"email=a%40example.com")
    replay = ReplayBackend(path, api_version=API, rerecord_hint="nox -s record")
    with pytest.raises(CassetteMiss) as miss:
        replay.handle_request(Request("POST", URL, {}, b"email=b%40example.com"))
    text = str(miss.value)
    assert "POST /v1/customers email=b@example.com" in text
    assert "nearest recorded request: POST /v1/customers email=a@example.com" in text
    assert "nox -s record" in text
    assert replay.misses == [miss.value]


def test_replay_refuses_a_cassette_recorded_for_another_api_version(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    _record(path, b"email=a%40example.com")
    expected = r"recorded for API version 2024-06-20, but this run pins 2025-03-31\.basil"
    with pytest.raises(CassetteError, match=expected):
        ReplayBackend(path, api_version="2025-03-31.basil", rerecord_hint="x")


def test_missing_cassette_only_fails_when_stripe_is_reached(tmp_path: Path) -> None:
    replay = ReplayBackend(tmp_path / "none.json", api_version=API, rerecord_hint="nox -s record")
    with pytest.raises(CassetteError, match="no cassette at"):
        replay.handle_request(Request("GET", URL))


def test_a_damaged_cassette_is_an_error_not_an_empty_one(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("interactions: [\n")
    with pytest.raises(CassetteError, match="cannot be read"):
        ReplayBackend(path, api_version=API, rerecord_hint="x")


def test_livemode_response_voids_the_recording_and_keeps_the_old_cassette(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    _record(path, b"email=a%40example.com")
    before = path.read_bytes()
    live = HandlerBackend(lambda r: Response.from_json(200, {"id": "cus_9", "object": "customer", "livemode": True}))
    recorder = Recorder(live, api_version=API, stripe_python="16.1.0")
    with pytest.raises(LiveModeRefused):
        recorder.handle_request(Request("POST", URL))
    with pytest.raises(LiveModeRefused):
        recorder.commit(path, "tests::scenario")
    assert path.read_bytes() == before


def test_a_write_that_fails_midway_leaves_the_previous_cassette_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.json"
    _record(path, b"email=a%40example.com")
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("harness.cassettes.store.os.replace", crash)
    with pytest.raises(KeyboardInterrupt):
        _record(path, b"email=z%40example.com")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]  # no temporary file left behind
    assert json.loads(json.dumps(CassetteFile.read(path).metadata.to_dict()))["api_version_requested"] == API  # type: ignore[union-attr]


def test_only_the_scenarios_own_events_are_kept_scrubbed_and_oldest_first(tmp_path: Path) -> None:
    """On a real test account GET /v1/events also lists earlier runs' events: the request id tells them apart."""

    def account(request: Request) -> Response:
        if request.path == "/v1/events":
            page = dict(request.query)
            events = [
                {"id": "evt_3", "type": "customer.updated", "request": {"id": "req_ours"}, "livemode": False,
                 "data": {"object": {"email": "jane@bigcorp.io"}}},
                {"id": "evt_2", "type": "customer.created", "request": {"id": "req_ours"}, "livemode": False},
                {"id": "evt_1", "type": "customer.created", "request": {"id": "req_other_run"}, "livemode": False},
            ]
            start = 0 if "starting_after" not in page else [e["id"] for e in events].index(page["starting_after"]) + 1
            chunk = events[start : start + 2]
            return Response.from_json(200, {"object": "list", "data": chunk, "has_more": start + 2 < len(events)})
        return Response.from_json(200, {"id": "cus_1", "object": "customer"}, {"Request-Id": "req_ours"})

    recorder = Recorder(HandlerBackend(account), api_version=API, stripe_python="16.1.0")
    recorder.handle_request(Request("POST", URL, {}, b""))
    events = recorder.account_events("sk_test_abcdefgh")
    assert [e["id"] for e in events] == ["evt_2", "evt_3"]
    assert "bigcorp" not in json.dumps(events)
    recorder.commit(tmp_path / "c.json", "tests::scenario", events=events)
    assert CassetteFile.read(tmp_path / "c.json").events == events


def test_a_live_event_voids_the_recording() -> None:
    def account(request: Request) -> Response:
        event = {"id": "evt_1", "request": {"id": "req_x"}, "livemode": True}
        return Response.from_json(200, {"object": "list", "data": [event], "has_more": False})

    with pytest.raises(LiveModeRefused):
        Recorder(HandlerBackend(account), api_version=API, stripe_python="16.1.0").account_events("sk_test_abcdefgh")


def _versioned(request: Request) -> Response:
    """Answers at the version the request names, as Stripe does (the pinned one by default)."""
    asked = next((v for k, v in request.headers.items() if k.lower() == "stripe-version"), API)
    return Response.from_json(200, {"id": "cus_1", "object": "customer"}, {"Stripe-Version": asked})


def test_a_request_that_names_another_version_is_recorded_with_it_and_replays(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    recorder = Recorder(HandlerBackend(_versioned), api_version=API, stripe_python="16.1.0")
    recorder.handle_request(Request("POST", URL, {"Stripe-Version": API}, b"email=a"))
    recorder.handle_request(Request("POST", URL, {"Stripe-Version": "2020-08-27"}, b"coupon=X"))  # "dashboard"

    assert recorder.other_answered_versions() == set()
    recorder.commit(path, "tests::scenario")
    cassette = CassetteFile.read(path)
    assert [req.headers for req, _ in cassette.interactions] == [{}, {"Stripe-Version": "2020-08-27"}]
    cassette.check_api_version(path, API, "re-record")  # does not raise


def test_an_answer_at_a_version_nobody_asked_for_is_still_refused(tmp_path: Path) -> None:
    recorder = Recorder(HandlerBackend(_versioned), api_version=API, stripe_python="16.1.0")
    recorder.handle_request(Request("POST", URL, {"Stripe-Version": API}, b"email=a"))
    recorder.handle_request(Request("POST", URL, {}, b"email=b"))  # answered at API: fine

    def elsewhere(request: Request) -> Response:
        return Response.from_json(200, {"id": "cus_2", "object": "customer"}, {"Stripe-Version": "2020-08-27"})

    stale = Recorder(HandlerBackend(elsewhere), api_version=API, stripe_python="16.1.0")
    stale.handle_request(Request("POST", URL, {"Stripe-Version": API}, b"email=a"))

    assert recorder.other_answered_versions() == set()
    assert stale.other_answered_versions() == {"2020-08-27"}
