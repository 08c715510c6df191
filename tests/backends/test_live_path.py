"""The live path (a test-mode key, a real HTTP server) and what protects a recording on it.

The live backend is the same code as against api.stripe.com with another base URL
(``STRIPE_COMPAT_LIVE_API_BASE``, for these tests only): pointed at localstripe it records a
scenario end to end; pointed at small fake servers it shows a live key never leaves the
machine, a ``livemode: true`` answer voids the recording, and a recording killed midway
leaves the previous cassette byte for byte.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from harness.backends.sources import API_BASE_OVERRIDE
from harness.cassettes.store import CassetteFile
from harness.recording import pytest_command
from tests.requires import require

VERSION = "2025-03-31.basil"
TEST_KEY = "sk_test_livepath0123456789"
SCENARIO = "test_first_card_creates_one_customer_and_sets_default"
OLD_CASSETTE = b"# the previous recording, kept byte for byte\n"


class FakeStripe:
    """An HTTP server that counts requests and answers with ``answer`` (or holds them until released)."""

    def __init__(self, answer: dict[str, object], *, hold: bool = False) -> None:
        self.requests: list[str] = []
        self.arrived, self.release = threading.Event(), threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                """No access log on the test's stderr."""

            def _answer(self) -> None:
                fake.requests.append(f"{self.command} {self.path}")
                fake.arrived.set()
                if hold:
                    fake.release.wait()
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_stripe() -> Iterator[Callable[..., FakeStripe]]:
    made: list[FakeStripe] = []

    def make(answer: dict[str, object], *, hold: bool = False) -> FakeStripe:
        made.append(FakeStripe(answer, hold=hold))
        return made[-1]

    yield make
    for fake in made:
        fake.close()


def _record(cassettes: Path, base_url: str, key: str, *pytest_args: str, **popen: object) -> subprocess.Popen[str]:
    env = {**os.environ, "STRIPE_API_KEY": key, API_BASE_OVERRIDE: base_url}
    command = [*pytest_command(VERSION, "live", select=SCENARIO, cassettes=cassettes), *pytest_args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)


def _old_cassette(root: Path) -> Path:
    path = root / VERSION / "test_lazy_customer" / f"{SCENARIO}.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(OLD_CASSETTE)
    return path


def _leftovers(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p != path)


def test_the_live_path_records_against_localstripe(tmp_path: Path) -> None:
    require("localstripe", "pip install 'stripe-compat[localstripe]'")
    from harness.backends.localstripe import LocalstripeBackend

    with LocalstripeBackend(api_key=TEST_KEY) as server:
        proc = _record(tmp_path, server.api_base, TEST_KEY)
        output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, output
    recorded = CassetteFile.read(tmp_path / VERSION / "test_lazy_customer" / f"{SCENARIO}.json")
    assert recorded.metadata is not None
    assert recorded.metadata.backend == "live"
    assert recorded.metadata.api_version_answered == VERSION
    assert recorded.events[0]["type"] == "customer.created"
    assert TEST_KEY not in (tmp_path / VERSION / "test_lazy_customer" / f"{SCENARIO}.json").read_text()


@pytest.mark.parametrize(
    "key",
    [
        "sk_live_51Hrealkey0123456789",
        "rk_live_51Hrealkey0123456789",
        "",
        "sk_test_ sk_live_51Hrealkey0123456789",  # passes a prefix check, sends a live key
        "sk_test_51Hkey0123456789 trailing-garbage",
    ],
)
def test_a_live_or_missing_key_is_refused_before_any_request(
    key: str, tmp_path: Path, fake_stripe: Callable[..., FakeStripe]
) -> None:
    server = fake_stripe({"object": "customer", "livemode": False})
    proc = _record(tmp_path, server.url, key)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "STRIPE_API_KEY" in output
    assert not key or key not in output
    assert server.requests == []


LIVE_CUSTOMER = {"id": "cus_live", "object": "customer", "livemode": True, "metadata": {}}
LIVE_ANSWERS = {
    "an object": LIVE_CUSTOMER,
    "an item of a list": {"object": "list", "data": [LIVE_CUSTOMER], "has_more": False, "url": "/v1/customers"},
    "deep inside a list item": {
        "object": "list", "has_more": False, "url": "/v1/customers",
        "data": [{"id": "cus_1", "object": "customer", "livemode": False,
                  "sources": {"object": "list", "data": [{"id": "card_1", "object": "card", "livemode": True}]}}],
    },
}


@pytest.mark.parametrize("answer", LIVE_ANSWERS.values(), ids=LIVE_ANSWERS.keys())
def test_a_livemode_answer_voids_the_recording_and_keeps_the_old_cassette(
    answer: dict[str, object], tmp_path: Path, fake_stripe: Callable[..., FakeStripe]
) -> None:
    server = fake_stripe(answer)
    cassette = _old_cassette(tmp_path)
    proc = _record(tmp_path, server.url, TEST_KEY)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "livemode: true" in output
    assert server.requests  # the guard acted on a real answer, not before asking
    assert cassette.read_bytes() == OLD_CASSETTE
    assert _leftovers(cassette) == []


def test_killing_a_recording_midway_keeps_the_old_cassette(
    tmp_path: Path, fake_stripe: Callable[..., FakeStripe]
) -> None:
    server = fake_stripe({"object": "customer", "livemode": False}, hold=True)
    cassette = _old_cassette(tmp_path)
    proc = _record(tmp_path, server.url, TEST_KEY, start_new_session=True)
    try:
        assert server.arrived.wait(timeout=120), "the recording never reached the server"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert cassette.read_bytes() == OLD_CASSETTE
    assert _leftovers(cassette) == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_network_error_while_recording_never_prints_the_key(tmp_path: Path) -> None:
    # Every frame's arguments and locals (--tb=long --showlocals) are where the headers would show;
    # tests/test_output_masking.py shows the masking that keeps them out of any test's traceback.
    junit = tmp_path / "junit.xml"
    closed = f"http://127.0.0.1:{_closed_port()}"
    proc = _record(tmp_path, closed, TEST_KEY, "--tb=long", "--showlocals", f"--junitxml={junit}")
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 1, output
    assert "Connection refused" in output  # the recording did meet the network error
    assert TEST_KEY not in output
    assert TEST_KEY not in junit.read_text()


def test_the_record_command_runs_pytest_in_this_environment() -> None:
    command = pytest_command(VERSION, "localstripe", select="lazy", cassettes=Path("out"))
    assert command[:3] == [sys.executable, "-m", "pytest"]
    assert "--stripe-record-mode=all" in command
    assert f"--stripe-api-version={VERSION}" in command
    assert command[command.index("-k") + 1] == "lazy"
