"""HTTPBackend: what reaches the server, and how socket failures surface."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.backends.base import ConnectFailed, ConnectionReset, ReadTimeout, Request
from harness.backends.http import HTTPBackend
from harness.errors import ConfigError


class _Server(ThreadingHTTPServer):
    # Handler threads may sit on a kept-alive connection; never wait for them on close.
    daemon_threads = True
    block_on_close = False


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean (a late answer would print after its test)."""


class _Echo(_Quiet):
    """Answers 201 with what it received, as JSON."""

    protocol_version = "HTTP/1.1"

    def _echo(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        payload = json.dumps(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body.decode()}
        ).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Request-Id", "req_echo")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _echo


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    """A server that echoes each request back."""
    yield from _serve(_Echo)


@pytest.fixture
def echo(echo_url: str) -> Iterator[HTTPBackend]:
    """An HTTPBackend pointed at the echo server."""
    with HTTPBackend(echo_url, name="echo") as backend:
        yield backend


def test_forwards_method_path_query_body_and_headers(echo: HTTPBackend, echo_url: str) -> None:
    body = b"email=ada%40example.com&metadata[user_id]=7"
    request = Request(
        "POST",
        # Encoded the way stripe-python encodes it (urllib3 would percent-encode raw brackets).
        "https://api.stripe.com/v1/customers?expand%5B%5D=sources&limit=3",
        {
            "Authorization": "Bearer sk_test_123",
            "User-Agent": "Stripe/v1 PythonBindings/16.1.0",
            "Stripe-Version": "2024-06-20",
            "Content-Type": "application/x-www-form-urlencoded",
            "Host": "api.stripe.com",
            "Content-Length": "9999",
        },
        body,
    )

    response = echo.handle_request(request)

    assert response.status == 201
    assert response.headers["Request-Id"] == "req_echo"
    seen = response.json()
    assert seen["method"] == "POST"
    assert seen["path"] == "/v1/customers?expand%5B%5D=sources&limit=3"
    assert seen["body"] == body.decode()
    headers = seen["headers"]
    assert headers["Authorization"] == "Bearer sk_test_123"
    assert headers["Stripe-Version"] == "2024-06-20"
    # Host and Content-Length describe the real connection, not the ones stripe-python asked for.
    assert headers["Host"] == echo_url.removeprefix("http://")
    assert headers["Content-Length"] == str(len(body))
    # Only what the client sent: no python-requests defaults for a recording to capture.
    assert headers["User-Agent"] == "Stripe/v1 PythonBindings/16.1.0"
    assert "Accept" not in headers
    assert echo.api_base == echo_url
    assert echo.name == "echo"


def test_base_url_path_prefixes_the_request_path(echo_url: str) -> None:
    with HTTPBackend(f"{echo_url}/stripe/") as backend:
        response = backend.handle_request(Request("GET", "https://api.stripe.com/v1/balance"))

    assert response.json()["path"] == "/stripe/v1/balance"


@pytest.mark.parametrize("url", ["127.0.0.1:12111", "ftp://example.com", "http://"])
def test_rejects_a_base_url_without_scheme_or_host(url: str) -> None:
    with pytest.raises(ConfigError, match="base_url"):
        HTTPBackend(url)


def test_refused_connection_is_connect_failed() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        port = sock.getsockname()[1]
        with HTTPBackend(f"http://127.0.0.1:{port}") as backend, pytest.raises(ConnectFailed) as caught:
            backend.handle_request(Request("GET", "https://api.stripe.com/v1/customers"))

    assert caught.value.should_retry is True


class _Slow(_Quiet):
    """Answers only once the test lets it, i.e. after the client has given up."""

    release = threading.Event()

    def do_GET(self) -> None:
        self.release.wait(5)
        try:
            self.send_response(200)
            self.end_headers()
        except OSError:
            pass  # the client is gone, as intended


@pytest.fixture
def slow_url() -> Iterator[str]:
    """A server that does not answer in time."""
    _Slow.release.clear()
    try:
        yield from _serve(_Slow)
    finally:
        _Slow.release.set()


def test_slow_server_is_read_timeout(slow_url: str) -> None:
    with HTTPBackend(slow_url, timeout=0.2) as backend, pytest.raises(ReadTimeout, match=r"no response within 0\.2s"):
        backend.handle_request(Request("GET", "https://api.stripe.com/v1/customers"))
    _Slow.release.set()


class _Hangup(_Quiet):
    """Reads the request, then drops the connection without a response."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def hangup_url() -> Iterator[str]:
    """A server that hangs up mid-request."""
    yield from _serve(_Hangup)


def test_dropped_connection_is_connection_reset(hangup_url: str) -> None:
    with HTTPBackend(hangup_url) as backend, pytest.raises(ConnectionReset):
        backend.handle_request(Request("POST", "https://api.stripe.com/v1/customers", {}, b"email=a"))
