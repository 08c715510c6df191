"""localstripe as a harness backend: a child process on 127.0.0.1, reached over HTTP.

localstripe is GPL-3.0, so its server and our fixes to it (``server/``) run as a
separate program; this module only starts it, waits for it, forwards requests to it with
:class:`~harness.backends.http.HTTPBackend` and stops it. It never imports ``server/``.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ...errors import BackendError, BackendUnavailable
from ..base import Backend, NetworkError, Request, Response
from ..http import HTTPBackend

SERVER_MODULE = "harness.backends.localstripe.server"
#: Seconds the server gets to import localstripe, bind and answer its health check.
STARTUP_TIMEOUT = 30.0
#: The server's exit status when it cannot import localstripe (see server/launcher.py).
_EXIT_UNAVAILABLE = 69
_INSTALL_HINT = "Install it with: pip install 'stripe-compat[localstripe]'"
#: The directory holding the ``harness`` package, so that any interpreter can run the server.
_PROJECT_ROOT = Path(__file__).resolve().parents[3]


def require_localstripe(module: str = "localstripe") -> None:
    """Raise :class:`BackendUnavailable` unless this interpreter can import ``module``.

    Checked before spawning anything, so that a machine without the optional extra gets
    the install command instead of a child process's traceback.
    """
    if importlib.util.find_spec(module) is None:
        msg = f"The localstripe backend needs the {module!r} package, which is not installed. {_INSTALL_HINT}"
        raise BackendUnavailable(msg)


class LocalstripeBackend(Backend):
    """A private localstripe server (plus the compat layer) for this process.

    Args:
        api_key: the key the server accepts (and the key stripe-python should send).
        strict_keys: reject every other key with Stripe's 401, so that the
            "misconfigured key" scenario can be recorded; off, any ``sk_...`` key works.
        python: the interpreter that runs the server (default: this one). It must be able
            to import localstripe; the harness is put on its ``PYTHONPATH``.
    """

    name = "localstripe"

    def __init__(
        self, *, api_key: str = "sk_test_stripe_compat", strict_keys: bool = True, python: str | None = None
    ) -> None:
        if python is None:
            require_localstripe()
            python = sys.executable
        self.api_key = api_key
        self._http: HTTPBackend | None = None
        # A file, not a pipe: a chatty server can never block on it. Closed by close().
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        command = [python, "-m", SERVER_MODULE, "--port", "0", "--api-key", api_key, "--exit-on-stdin-eof"]
        if strict_keys:
            command.append("--strict-keys")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PROJECT_ROOT), env.get("PYTHONPATH")]))
        try:
            # stdin stays open for the server's lifetime: when this process dies, however
            # abruptly, the server reads EOF and exits instead of lingering.
            pipe = subprocess.PIPE
            proc = subprocess.Popen(command, stdin=pipe, stdout=pipe, stderr=self._stderr, env=env)
        except OSError as exc:
            self._stderr.close()
            msg = f"Cannot start the localstripe server with {python!r}: {exc}"
            raise BackendUnavailable(msg) from exc
        self._proc: subprocess.Popen[bytes] | None = proc
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            port = self._read_port(proc, deadline)
            self.api_base = f"http://127.0.0.1:{port}"
            self._http = HTTPBackend(self.api_base, name=self.name)
            self._wait_ready(proc, deadline)
        except BaseException:
            self.close()
            raise
        atexit.register(self.close)

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs, for diagnostics."""
        return self._proc.pid if self._proc is not None else None

    def _stderr_tail(self, limit: int = 4000) -> str:
        self._stderr.seek(0)
        tail = self._stderr.read()[-limit:].decode("utf-8", "replace").strip()
        return f"\n--- server stderr (last {limit} bytes) ---\n{tail}" if tail else " (no stderr output)"

    def _failed(self, proc: subprocess.Popen[bytes], what: str) -> BackendError:
        status = proc.poll()
        if status == _EXIT_UNAVAILABLE:
            return BackendUnavailable(f"The localstripe server could not import localstripe. {_INSTALL_HINT}")
        state = "is still running" if status is None else f"exited with status {status}"
        return BackendError(f"The localstripe server {what}; it {state}.{self._stderr_tail()}")

    def _read_port(self, proc: subprocess.Popen[bytes], deadline: float) -> int:
        """Read the JSON line the server prints once it listens (``{"port": N, ...}``)."""
        stdout = proc.stdout
        assert stdout is not None
        buffered = b""
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while b"\n" not in buffered:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._failed(proc, f"did not report its port within {STARTUP_TIMEOUT:.0f}s")
                if not selector.select(remaining):
                    continue
                chunk = os.read(stdout.fileno(), 4096)
                if not chunk:
                    proc.wait(timeout=5)
                    raise self._failed(proc, "stopped before listening")
                buffered += chunk
        line = buffered.split(b"\n", 1)[0]
        try:
            return int(json.loads(line)["port"])
        except (ValueError, KeyError, TypeError) as exc:
            raise self._failed(proc, f"printed {line!r} instead of its port") from exc

    def _wait_ready(self, proc: subprocess.Popen[bytes], deadline: float) -> None:
        """Poll the health route until the server answers (normally on the first try)."""
        delay = 0.005
        with HTTPBackend(self.api_base, timeout=1.0) as probe:
            while True:
                try:
                    if probe.handle_request(Request("GET", f"{self.api_base}/_config/health")).status == 200:
                        return
                except NetworkError:
                    pass
                if proc.poll() is not None:
                    raise self._failed(proc, "stopped before answering its health check")
                if time.monotonic() + delay > deadline:
                    raise self._failed(proc, f"did not answer its health check within {STARTUP_TIMEOUT:.0f}s")
                time.sleep(delay)
                delay = min(delay * 2, 0.1)

    def handle_request(self, request: Request) -> Response:
        """Forward ``request`` to the server."""
        if self._http is None:
            msg = "The localstripe backend is closed; create a new LocalstripeBackend."
            raise BackendError(msg)
        return self._http.handle_request(request)

    def reset(self) -> None:
        """Empty the account: objects, events, idempotency keys and deleted-customer records.

        Webhook endpoints registered through ``/_config/webhooks`` are server
        configuration, not account data, and are kept.
        """
        response = self.handle_request(Request("DELETE", f"{self.api_base}/_config/data"))
        if response.status != 200:
            msg = f"Resetting localstripe failed with HTTP {response.status}: {response.body[:500]!r}"
            raise BackendError(msg)

    def close(self) -> None:
        """Stop the server and release its pipes; safe to call more than once."""
        atexit.unregister(self.close)
        if self._http is not None:
            self._http.close()
            self._http = None
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        self._stderr.close()
