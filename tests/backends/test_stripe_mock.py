"""stripe-mock: the Docker Engine API client against a fake daemon, STRIPE_MOCK_URL, and no daemon at all."""

from __future__ import annotations

import json
import os
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from harness.backends.base import Request
from harness.backends.stripe_mock import DockerEngine, cannot_serve, open_stripe_mock
from harness.errors import BackendUnavailable


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No access log on the test's stderr."""

    def address_string(self) -> str:
        return "unix"  # a unix socket peer has no host to print

    def _send(self, status: int, body: object = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _FakeMock(_Quiet):
    """A stand-in for stripe-mock: any customer list request gets a fixture list."""

    def do_GET(self) -> None:
        self._send(200, {"object": "list", "data": [], "has_more": False, "url": self.path})


@pytest.fixture
def fake_mock() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeMock)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@pytest.fixture
def fake_docker(tmp_path: Path, fake_mock: str) -> Iterator[tuple[str, list[str]]]:
    """A Docker daemon on a unix socket that logs each call and publishes ``fake_mock``'s port."""
    calls: list[str] = []
    port = fake_mock.rsplit(":", 1)[1]

    class Daemon(_Quiet):
        def _route(self) -> None:
            calls.append(f"{self.command} {self.path}")
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            if self.path == "/_ping":
                self._send(200, "OK")
            elif self.path.startswith("/images/create"):
                self._send(200, {"status": "Downloaded newer image for stripe/stripe-mock:latest"})
            elif self.path == "/containers/create":
                binding = body["HostConfig"]["PortBindings"]["12111/tcp"][0]
                self._send(201 if binding["HostIp"] == "127.0.0.1" else 400, {"Id": "c0ffee"})
            elif self.path == "/containers/c0ffee/json":
                ports = {"12111/tcp": [{"HostIp": "127.0.0.1", "HostPort": port}]}
                self._send(200, {"NetworkSettings": {"Ports": ports}})
            else:
                self._send(204)

        do_GET = do_POST = do_DELETE = _route

    sock = tmp_path / "docker.sock"
    server = _UnixServer(str(sock), Daemon)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"unix://{sock}", calls
    server.shutdown()
    server.server_close()


def test_docker_pull_create_start_inspect_and_remove_on_close(
    fake_docker: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_MOCK_URL", raising=False)
    host, calls = fake_docker
    backend = open_stripe_mock(engine=DockerEngine(host))
    assert calls == [
        "GET /_ping",
        "POST /images/create?fromImage=stripe%2Fstripe-mock&tag=latest",
        "POST /containers/create",
        "POST /containers/c0ffee/start",
        "GET /containers/c0ffee/json",
    ]
    assert backend.handle_request(Request("GET", "https://api.stripe.com/v1/customers")).json()["object"] == "list"
    backend.close()
    assert calls[-1] == "DELETE /containers/c0ffee?force=true"


def test_stripe_mock_url_is_used_without_docker(fake_mock: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_MOCK_URL", fake_mock)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with open_stripe_mock() as backend:
        assert backend.name == "stripe-mock"
        assert backend.handle_request(Request("GET", "https://api.stripe.com/v1/customers")).status == 200


def test_a_dead_stripe_mock_url_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_MOCK_URL", "http://127.0.0.1:9")
    with pytest.raises(BackendUnavailable, match=r"STRIPE_MOCK_URL=http://127\.0\.0\.1:9 does not answer"):
        open_stripe_mock()


def test_no_daemon_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "STRIPE_MOCK_URL"}
    env["DOCKER_HOST"] = f"unix://{tmp_path}/no-daemon.sock"
    command = [sys.executable, "-m", "pytest", "--pyargs", "harness.scenarios", "-p", "no:cacheprovider",
               "--stripe-backend=stripe-mock", "-k", "decoupled"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 2
    assert "Traceback" not in output
    message = next(line for line in output.splitlines() if "stripe-mock is unavailable" in line)
    assert "no Docker daemon answers" in message
    assert "STRIPE_MOCK_URL=" in message


@pytest.mark.parametrize(
    ("nodeid", "served"),
    [
        ("harness/scenarios/test_decoupled_signup.py::test_signup_and_verification_make_no_stripe_request[401]", True),
        ("harness/scenarios/test_lazy_customer.py::test_first_card_creates_one_customer_and_sets_default", False),
        ("harness/scenarios/test_faults.py::test_payment_flows_survive_the_fault_at_every_call_and_converge[x]", False),
        ("test_faults.py::test_signup_verification_and_reads_never_call_stripe_whatever_the_fault", True),
    ],
)
def test_capabilities_name_the_stateful_scenarios(nodeid: str, served: bool) -> None:
    assert (cannot_serve(nodeid) is None) is served
