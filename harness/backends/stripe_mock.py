"""stripe-mock as a backend: at ``STRIPE_MOCK_URL``, or a container started through the Docker Engine API.

stripe-mock is Stripe's own mock, generated from the OpenAPI spec: every response has
the documented shape, but it is **stateless** (a created customer is never listed, a
deleted one still reads back). So it serves the scenarios that check request shapes and
failure handling, not the ones that check an account's state; :data:`CANNOT_SERVE` says
which, for the plugin to skip.

Docker is driven over its HTTP API (unix socket or ``DOCKER_HOST``) with the standard
library, not the docker SDK or CLI, so that nothing new is installed and a machine
without a daemon gets one sentence instead of a traceback.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..errors import BackendError, BackendUnavailable
from .base import Backend, NetworkError, Request
from .http import HTTPBackend

IMAGE, TAG = "stripe/stripe-mock", "latest"
PORT = "12111/tcp"
DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"
READY_TIMEOUT = 30.0

#: Scenario modules (or ``module::test``) stripe-mock cannot serve, and why: each needs state.
CANNOT_SERVE: dict[str, str] = {
    "test_lazy_customer": "checks the account holds exactly one customer; stripe-mock keeps no state",
    "test_repair": "deletes a customer and expects it gone; stripe-mock keeps no state",
    "test_idempotent_create": "counts customers after a retry; stripe-mock keeps no state or idempotency",
    "test_webhooks": "builds events from objects the account holds; stripe-mock keeps no state",
    "test_faults::test_payment_flows_survive_the_fault_at_every_call_and_converge": (
        "checks the account converges after each fault; stripe-mock keeps no state"
    ),
}

_NO_DAEMON = (
    "stripe-mock is unavailable: STRIPE_MOCK_URL is not set and no Docker daemon answers at {host} ({why}); "
    "start stripe-mock where Docker works (docker run --rm -p 127.0.0.1:12111:12111 stripe/stripe-mock) "
    "and set STRIPE_MOCK_URL=http://127.0.0.1:12111, or record with --stripe-backend=localstripe."
)


def cannot_serve(nodeid: str) -> str | None:
    """Why stripe-mock cannot run this scenario (a pytest node id), or None when it can."""
    path, _, test = nodeid.partition("::")
    module = path.rsplit("/", 1)[-1].removesuffix(".py")
    test_name = test.split("[", 1)[0]
    return CANNOT_SERVE.get(f"{module}::{test_name}") or CANNOT_SERVE.get(module)


class _UnixConnection(http.client.HTTPConnection):
    """HTTP over a unix socket: what the Docker daemon listens on by default."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class DockerEngine:
    """The few Docker Engine API calls stripe-mock needs; one connection per call."""

    def __init__(self, host: str | None = None, *, timeout: float = 120.0) -> None:
        self.host = host or os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST
        self.timeout = timeout
        parts = urlsplit(self.host)
        if parts.scheme not in ("unix", "tcp", "http"):
            msg = f"DOCKER_HOST={self.host!r} is not supported here; use unix:///path/docker.sock or tcp://host:port."
            raise BackendUnavailable(msg)
        self._parts = parts

    def _connection(self) -> http.client.HTTPConnection:
        if self._parts.scheme == "unix":
            return _UnixConnection(self._parts.path, self.timeout)
        return http.client.HTTPConnection(self._parts.netloc, timeout=self.timeout)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """One request; socket failures raise OSError for the caller to phrase."""
        connection = self._connection()
        try:
            payload = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": "application/json"} if payload is not None else {}
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()  # read() drains a streamed pull to its end
        finally:
            connection.close()

    def _expect(self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200, 201, 204)) -> bytes:
        status, data = self.call(method, path, body)
        if status not in ok:
            text = data.decode("utf-8", "replace")[:300]
            raise BackendError(f"Docker {method} {path.split('?')[0]} answered HTTP {status}: {text}")
        return data

    def ping(self) -> None:
        """Raise :class:`BackendUnavailable` (one sentence) unless a daemon answers."""
        try:
            status, _ = self.call("GET", "/_ping")
        except OSError as exc:
            raise BackendUnavailable(_NO_DAEMON.format(host=self.host, why=exc.strerror or exc)) from None
        if status != 200:
            raise BackendUnavailable(_NO_DAEMON.format(host=self.host, why=f"/_ping answered HTTP {status}"))

    def pull(self, image: str, tag: str) -> None:
        data = self._expect("POST", "/images/create?" + urlencode({"fromImage": image, "tag": tag}))
        # The pull streams JSON progress lines with HTTP 200 even when it fails midway.
        for line in data.splitlines():
            message = json.loads(line) if line.strip() else {}
            if "error" in message:
                raise BackendUnavailable(f"Docker could not pull {image}:{tag}: {message['error']}")

    def create(self, image: str) -> str:
        body = {
            "Image": image,
            "ExposedPorts": {PORT: {}},
            # HostPort "" lets Docker choose a free port, so parallel runs never collide.
            "HostConfig": {"PortBindings": {PORT: [{"HostIp": "127.0.0.1", "HostPort": ""}]}},
        }
        return str(json.loads(self._expect("POST", "/containers/create", body))["Id"])

    def start(self, container: str) -> None:
        self._expect("POST", f"/containers/{container}/start", ok=(204, 304))

    def host_port(self, container: str) -> int:
        info = json.loads(self._expect("GET", f"/containers/{container}/json"))
        bindings = (info.get("NetworkSettings") or {}).get("Ports", {}).get(PORT) or []
        if not bindings:
            raise BackendError(f"The stripe-mock container {container[:12]} published no port for {PORT}.")
        return int(bindings[0]["HostPort"])

    def remove(self, container: str) -> None:
        self._expect("DELETE", f"/containers/{container}?force=true", ok=(204, 404))


def wait_ready(backend: HTTPBackend, timeout: float = READY_TIMEOUT) -> None:
    """Poll until stripe-mock answers any HTTP response (it needs no warm-up beyond listening)."""
    deadline = time.monotonic() + timeout
    probe = Request("GET", f"{backend.api_base}/v1/customers", {"Authorization": "Bearer sk_test_123"})
    while True:
        try:
            backend.handle_request(probe)
            return
        except NetworkError as exc:
            if time.monotonic() > deadline:
                msg = f"stripe-mock at {backend.api_base} did not answer within {timeout:.0f}s ({exc})."
                raise BackendUnavailable(msg) from None
            time.sleep(0.1)


class StripeMockBackend(HTTPBackend):
    """stripe-mock over HTTP; removes the container it started (if any) on close."""

    def __init__(self, base_url: str, *, engine: DockerEngine | None = None, container: str | None = None) -> None:
        super().__init__(base_url, name="stripe-mock")
        self._engine, self._container = engine, container

    def close(self) -> None:
        super().close()
        engine, container, self._container = self._engine, self._container, None
        if engine is not None and container is not None:
            engine.remove(container)


def open_stripe_mock(url: str | None = None, engine: DockerEngine | None = None) -> Backend:
    """stripe-mock at ``url`` (default ``STRIPE_MOCK_URL``), else a container started through Docker."""
    url = url or os.environ.get("STRIPE_MOCK_URL")
    if url:
        backend = StripeMockBackend(url)
        try:
            wait_ready(backend, timeout=5.0)
        except BackendUnavailable:
            backend.close()
            msg = f"STRIPE_MOCK_URL={url} does not answer; start stripe-mock there, or unset it to use Docker."
            raise BackendUnavailable(msg) from None
        return backend
    engine = engine or DockerEngine()
    engine.ping()
    image = f"{IMAGE}:{TAG}"
    engine.pull(IMAGE, TAG)
    container = engine.create(image)
    try:
        engine.start(container)
        base_url = f"http://127.0.0.1:{engine.host_port(container)}"
        backend = StripeMockBackend(base_url, engine=engine, container=container)
    except BaseException:
        engine.remove(container)
        raise
    try:
        wait_ready(backend)
    except BaseException:
        backend.close()
        raise
    return backend
