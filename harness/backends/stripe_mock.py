"""stripe-mock as a backend: at ``STRIPE_MOCK_URL`` / ``STRIPE_MOCK_HOST``:``STRIPE_MOCK_PORT``,
or a container of a pinned image started through the ``docker`` SDK.

stripe-mock is Stripe's own mock, generated from the OpenAPI spec. It validates every
request against the spec (an unknown parameter, a wrong type or a missing required one is
a 400) and answers with Stripe's fixture of the object, but it is **stateless**: a created
customer is never listed, a deleted one still reads back. So on this backend every
scenario runs and each request it makes is validated, and only the assertions marked as
being about the account's state are relaxed (:mod:`harness.backends.account_state`).

Docker is reached through the ``docker`` SDK (``pip install 'stripe-compat[stripe-mock]'``),
which reads ``DOCKER_HOST``, ``DOCKER_TLS_VERIFY``/``DOCKER_CERT_PATH`` and the current
Docker context, and speaks unix, npipe, tcp+TLS and ssh (with paramiko) as the CLI does.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import BackendUnavailable, ConfigError
from .base import Backend, Layer, NetworkError, Request, Response
from .http import HTTPBackend

if TYPE_CHECKING:
    from docker import DockerClient
    from docker.models.containers import Container

IMAGE = "stripe/stripe-mock"
#: Pinned: stripe-mock's answers (and which requests it rejects) follow the spec bundled
#: in the image, so ``latest`` would change a verdict without a change here. v0.206.0 is
#: the newest release tag found (Dec 2026); bump it deliberately.
TAG = "v0.206.0"
PORT = "12111/tcp"
#: stripe-python's test suite reads the same two variables (its default port is 12111).
DEFAULT_HOST, DEFAULT_PORT = "localhost", 12111
READY_TIMEOUT = 30.0
_REMOTE_SCHEMES = ("tcp", "ssh", "http", "https")

_NO_SDK = (
    "stripe-mock is unavailable: STRIPE_MOCK_URL (or STRIPE_MOCK_HOST/STRIPE_MOCK_PORT) is not set and the docker "
    "SDK that starts it is not installed; pip install 'stripe-compat[stripe-mock]', or start stripe-mock yourself "
    "and set STRIPE_MOCK_URL=http://127.0.0.1:12111, or record with --stripe-backend=localstripe."
)
_NO_DAEMON = (
    "stripe-mock is unavailable: STRIPE_MOCK_URL (or STRIPE_MOCK_HOST/STRIPE_MOCK_PORT) is not set and no Docker "
    "daemon answers at {host} ({why}); start stripe-mock where Docker works "
    f"(docker run --rm -p 127.0.0.1:12111:12111 {IMAGE}:{TAG}) and set STRIPE_MOCK_URL=http://127.0.0.1:12111, "
    "or record with --stripe-backend=localstripe."
)


def configured_url(environ: dict[str, str] | None = None) -> str | None:
    """Where the user says stripe-mock runs: ``STRIPE_MOCK_URL``, else ``STRIPE_MOCK_HOST``/``_PORT``."""
    env = os.environ if environ is None else environ
    if url := env.get("STRIPE_MOCK_URL", "").strip():
        return url
    host, port = env.get("STRIPE_MOCK_HOST", "").strip(), env.get("STRIPE_MOCK_PORT", "").strip()
    if not (host or port):
        return None
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        msg = f"STRIPE_MOCK_PORT={port!r} is not a port number; set it to stripe-mock's HTTP port (default 12111)."
        raise ConfigError(msg)
    return f"http://{host or DEFAULT_HOST}:{port or DEFAULT_PORT}"


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
    """stripe-mock over HTTP; removes the container it started (if any) on close.

    ``stateful`` is False: the plugin relaxes account-state assertions on it.
    """

    stateful = False

    def __init__(self, base_url: str, *, container: Container | None = None) -> None:
        super().__init__(base_url, name="stripe-mock")
        self._container = container

    def close(self) -> None:
        super().close()
        container, self._container = self._container, None
        if container is not None:
            _remove(container)


class Rejections(Layer):
    """Collects what stripe-mock rejected: it answers 4xx only to a request that breaks the spec.

    (It never declines a card nor misses a customer, and the harness's injected faults never
    reach it.) Each rejection fails the scenario with stripe-mock's own message, even when
    the integration swallowed the error.
    """

    def __init__(self, inner: Backend) -> None:
        super().__init__(inner)
        self.found: list[str] = []

    def handle_request(self, request: Request) -> Response:
        response = self.inner.handle_request(request)
        if 400 <= response.status < 500:
            message = _message(response)
            self.found.append(f"stripe-mock rejected {request.describe()}: HTTP {response.status}: {message}")
        return response


def _message(response: Response) -> str:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return response.body.decode("utf-8", "replace")[:300]
    return str(error.get("message") or error)


def docker_client(environ: dict[str, str] | None = None) -> DockerClient:
    """A client for the daemon the Docker CLI would use; one sentence when there is none."""
    env = dict(os.environ if environ is None else environ)
    try:
        import docker
    except ImportError:
        raise BackendUnavailable(_NO_SDK) from None
    try:
        client = docker.from_env(environment=env)
        client.ping()
    except docker.errors.DockerException as exc:
        raise BackendUnavailable(_NO_DAEMON.format(host=_daemon_url(env), why=_first_line(exc))) from None
    return client


def _daemon_url(env: dict[str, str]) -> str:
    """The daemon address the SDK resolves: ``DOCKER_HOST``, else the current context's."""
    if host := env.get("DOCKER_HOST"):
        return host
    from docker import ContextAPI

    return str(ContextAPI.kwargs_from_context(environment=env).get("base_url") or "unix:///var/run/docker.sock")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _remove(container: Container) -> None:
    from docker.errors import NotFound

    with contextlib.suppress(NotFound):  # already gone (removed by the daemon or someone else)
        container.remove(force=True)


def ensure_image(client: DockerClient, ref: str = f"{IMAGE}:{TAG}") -> None:
    """Pull the pinned image only when the daemon does not already hold it."""
    from docker.errors import APIError, ImageNotFound

    try:
        client.images.get(ref)
        return
    except ImageNotFound:
        pass
    repository, _, tag = ref.rpartition(":")
    try:
        client.images.pull(repository, tag=tag)
    except APIError as exc:
        raise BackendUnavailable(f"Docker could not pull {ref}: {exc.explanation or exc}") from None


def start_container(client: DockerClient, environ: dict[str, str] | None = None) -> StripeMockBackend:
    """Run the pinned image with its port published on a free host port; the backend owns the container."""
    env = os.environ if environ is None else environ
    ensure_image(client)
    daemon = urlsplit(_daemon_url(dict(env)))
    remote = daemon.scheme in _REMOTE_SCHEMES and daemon.hostname not in (None, "localhost", "127.0.0.1", "::1")
    # A local daemon publishes on loopback only; a remote one must publish where this machine can reach it.
    bind_ip = "0.0.0.0" if remote else "127.0.0.1"
    address = daemon.hostname if remote else "127.0.0.1"
    container = client.containers.run(f"{IMAGE}:{TAG}", detach=True, ports={PORT: (bind_ip, None)})
    try:
        container.reload()
        bindings: list[dict[str, Any]] = (container.ports or {}).get(PORT) or []
        if not bindings:
            raise BackendUnavailable(f"The stripe-mock container {container.short_id} published no port for {PORT}.")
        backend = StripeMockBackend(f"http://{address}:{bindings[0]['HostPort']}", container=container)
    except BaseException:
        _remove(container)
        raise
    try:
        wait_ready(backend)
    except BaseException:
        backend.close()
        raise
    return backend


def open_stripe_mock(url: str | None = None, client: DockerClient | None = None) -> Backend:
    """stripe-mock at ``url`` (default: the environment), else a container started through Docker."""
    url = url or configured_url()
    if url:
        backend = StripeMockBackend(url)
        try:
            wait_ready(backend, timeout=5.0)
        except BackendUnavailable:
            backend.close()
            msg = (
                f"stripe-mock at {url} (from STRIPE_MOCK_URL or STRIPE_MOCK_HOST/STRIPE_MOCK_PORT) does not answer; "
                "start stripe-mock there, or unset them to start it through Docker."
            )
            raise BackendUnavailable(msg) from None
        return backend
    return start_container(client or docker_client())
