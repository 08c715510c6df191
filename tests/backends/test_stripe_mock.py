"""stripe-mock: started through the docker SDK against a fake Docker Engine API on a unix
socket (there is no daemon on this machine), found through STRIPE_MOCK_URL or
STRIPE_MOCK_HOST/STRIPE_MOCK_PORT, and one sentence when there is neither."""

from __future__ import annotations

import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from harness.backends.base import Request
from harness.backends.stripe_mock import IMAGE, TAG, configured_url, docker_client, open_stripe_mock
from harness.errors import BackendUnavailable, ConfigError
from tests.requires import require

docker = require("docker", "pip install 'stripe-compat[stripe-mock]'")

REF = f"{IMAGE}:{TAG}"


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No access log on the test's stderr."""

    def address_string(self) -> str:
        return "unix"  # a unix socket peer has no host to print

    def _send(self, status: int, body: object = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _FakeMock(_Quiet):
    """Answers like stripe-mock on the one path the readiness probe and this test use."""

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


@dataclass
class Daemon:
    """What the fake Docker Engine saw and holds."""

    host: str
    calls: list[str] = field(default_factory=list)
    images: set[str] = field(default_factory=set)
    bindings: list[dict[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _serve_engine(sock: Path, mock_port: str) -> tuple[_UnixServer, Daemon]:
    """A Docker Engine API (the calls the SDK makes for pull, run, inspect, remove) on a unix socket."""
    state = Daemon(f"unix://{sock}")

    class Engine(_Quiet):
        def _route(self) -> None:
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            if path.startswith("/v1."):  # the SDK prefixes the negotiated API version
                path = "/" + path.split("/", 2)[2]
            state.calls.append(f"{self.command} {path}")
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            if path == "/version":
                self._send(200, {"ApiVersion": "1.45", "Version": "27.0.0", "MinAPIVersion": "1.24"})
            elif path == "/_ping":
                self._send(200, "OK")
            elif path.startswith("/images/") and path.endswith("/json"):
                name = path.removeprefix("/images/").removesuffix("/json")
                found = name in state.images
                self._send(200 if found else 404, {"Id": "sha256:5eed", "RepoTags": [name]} if found else
                           {"message": f"No such image: {name}"})
            elif path == "/images/create":
                query = dict(p.split("=", 1) for p in parts.query.split("&"))
                state.images.add(f"{unquote(query['fromImage'])}:{query['tag']}")
                self._send(200, {"status": f"Downloaded newer image for {REF}"})
            elif path == "/containers/create":
                state.bindings.append(body["HostConfig"]["PortBindings"]["12111/tcp"][0])
                self._send(201 if body["Image"] in state.images else 404, {"Id": "c0ffee" * 4, "Warnings": []})
            elif path.endswith("/start"):
                self._send(204)
            elif path.startswith("/containers/") and path.endswith("/json"):
                ports = {"12111/tcp": [{"HostIp": "127.0.0.1", "HostPort": mock_port}]}
                self._send(200, {"Id": "c0ffee" * 4, "Name": "/stripe-mock", "NetworkSettings": {"Ports": ports}})
            elif self.command == "DELETE":
                state.removed.append(path.rsplit("/", 1)[1])
                self._send(204)
            else:
                self._send(404, {"message": f"unexpected {self.command} {path}"})

        do_GET = do_POST = do_DELETE = _route

    server = _UnixServer(str(sock), Engine)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, state


@pytest.fixture
def engine(tmp_path: Path, fake_mock: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Daemon]:
    for name in ("STRIPE_MOCK_URL", "STRIPE_MOCK_HOST", "STRIPE_MOCK_PORT", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY"):
        monkeypatch.delenv(name, raising=False)
    server, state = _serve_engine(tmp_path / "docker.sock", fake_mock.rsplit(":", 1)[1])
    monkeypatch.setenv("DOCKER_HOST", state.host)
    yield state
    server.shutdown()
    server.server_close()


def test_the_pinned_image_is_pulled_once_run_on_loopback_and_removed_on_close(engine: Daemon) -> None:
    assert TAG.startswith("v")  # a pinned release: a verdict must not move with Docker Hub's latest

    backend = open_stripe_mock()
    assert "POST /images/create" in engine.calls
    assert engine.images == {REF}
    assert engine.bindings == [{"HostIp": "127.0.0.1", "HostPort": ""}]  # loopback, a free port Docker picks
    assert backend.handle_request(Request("GET", "https://api.stripe.com/v1/customers")).json()["object"] == "list"
    backend.close()
    assert engine.removed == ["c0ffee" * 4]

    engine.calls.clear()
    open_stripe_mock().close()  # the image is there now: no second pull
    assert "POST /images/create" not in engine.calls
    assert "POST /containers/create" in engine.calls


def test_the_current_docker_context_is_honoured(
    engine: Daemon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "docker-config"
    config.mkdir()
    (config / "config.json").write_text("{}")
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    docker.ContextAPI.create_context("fake-engine", host=engine.host)
    monkeypatch.delenv("DOCKER_HOST")
    monkeypatch.setenv("DOCKER_CONTEXT", "fake-engine")

    open_stripe_mock().close()
    assert "POST /containers/create" in engine.calls


def test_tls_verification_is_spoken_on_tcp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # DOCKER_TLS_VERIFY=1 on tcp://…: the first bytes must be a TLS handshake, never a plain "GET /".
    certs = tmp_path / "certs"
    certs.mkdir()
    openssl = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
    subprocess.run([*openssl, "-keyout", str(certs / "key.pem"), "-out", str(certs / "cert.pem")],
                   check=True, capture_output=True)
    (certs / "ca.pem").write_bytes((certs / "cert.pem").read_bytes())
    first: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def accept() -> None:
        with listener, listener.accept()[0] as conn:
            first.append(conn.recv(3))

    threading.Thread(target=accept, daemon=True).start()
    for name in ("STRIPE_MOCK_URL", "STRIPE_MOCK_HOST", "STRIPE_MOCK_PORT", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{listener.getsockname()[1]}")
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(certs))

    with pytest.raises(BackendUnavailable, match=r"no Docker daemon answers at tcp://127\.0\.0\.1"):
        docker_client()
    assert first == [b"\x16\x03\x01"]  # a TLS handshake record, not "GET"


def test_without_the_sdk_the_message_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docker", None)  # what a venv without the extra looks like to import
    with pytest.raises(BackendUnavailable, match=r"pip install 'stripe-compat\[stripe-mock\]'"):
        docker_client()


def test_stripe_mock_url_is_used_without_docker(fake_mock: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_MOCK_URL", fake_mock)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with open_stripe_mock() as backend:
        assert backend.name == "stripe-mock"
        assert backend.handle_request(Request("GET", "https://api.stripe.com/v1/customers")).status == 200


def test_stripe_mock_host_and_port_are_what_stripe_python_reads(
    fake_mock: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_MOCK_URL", raising=False)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    monkeypatch.setenv("STRIPE_MOCK_HOST", "127.0.0.1")
    monkeypatch.setenv("STRIPE_MOCK_PORT", fake_mock.rsplit(":", 1)[1])
    with open_stripe_mock() as backend:
        assert backend.api_base == fake_mock
    assert configured_url({"STRIPE_MOCK_PORT": "12112"}) == "http://localhost:12112"
    assert configured_url({"STRIPE_MOCK_HOST": "mock"}) == "http://mock:12111"
    assert configured_url({"STRIPE_MOCK_URL": "http://a:1", "STRIPE_MOCK_PORT": "2"}) == "http://a:1"
    assert configured_url({}) is None
    with pytest.raises(ConfigError, match="STRIPE_MOCK_PORT='twelve' is not a port number"):
        configured_url({"STRIPE_MOCK_PORT": "twelve"})


def test_a_dead_stripe_mock_url_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_MOCK_URL", "http://127.0.0.1:9")
    with pytest.raises(BackendUnavailable, match=r"stripe-mock at http://127\.0\.0\.1:9 .* does not answer"):
        open_stripe_mock()


def test_no_daemon_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_MOCK_", "DOCKER_"))}
    env["DOCKER_HOST"] = f"unix://{tmp_path}/no-daemon.sock"
    command = [sys.executable, "-m", "pytest", "--pyargs", "harness.scenarios", "-p", "no:cacheprovider",
               "--stripe-backend=stripe-mock", "-k", "decoupled"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 2
    assert "Traceback" not in output
    message = next(line for line in output.splitlines() if "stripe-mock is unavailable" in line)
    assert "no Docker daemon answers at unix://" in message
    assert "STRIPE_MOCK_URL=" in message
    assert f"{IMAGE}:{TAG}" in message
