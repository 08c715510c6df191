"""``python -m shop``, as production runs it, on waitress: keep-alive with chunked bodies, and its limits."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.adapter import StripeSettings

SHOP = Path(__file__).resolve().parents[1] / "examples" / "shop"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def shop_port(tmp_path: Path) -> Iterator[int]:
    port = _free_port()
    env = {
        **os.environ, "PORT": str(port), "SHOP_DATABASE": str(tmp_path / "shop.sqlite3"),
        "STRIPE_API_KEY": "sk_test_server", "STRIPE_WEBHOOK_SECRET": "whsec_server", "STRIPE_API_VERSION": "2024-06-20",
    }
    log = tmp_path / "shop.log"
    with log.open("wb") as output:
        server = subprocess.Popen([sys.executable, "-m", "shop"], cwd=SHOP, env=env, stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"python -m shop did not start listening: {log.read_text()}"
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_chunked_post_and_the_next_get_on_one_connection_are_both_answered(shop_port: int) -> None:
    body = json.dumps({"email": "chunked@example.com"}).encode()
    half = len(body) // 2
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (half, body[:half], len(body) - half, body[half:])
    with socket.create_connection(("127.0.0.1", shop_port), timeout=10) as sock:
        sock.sendall(b"POST /signup HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n" + chunked)
        first = http.client.HTTPResponse(sock)
        first.begin()
        created = json.loads(first.read())
        sock.sendall(f"GET /dev/outbox/{created['user_id']} HTTP/1.1\r\nHost: shop\r\n\r\n".encode())
        second = http.client.HTTPResponse(sock)
        second.begin()
        outbox = json.loads(second.read())

    assert first.status == 201
    assert second.status == 200
    assert outbox["link"].startswith("/verify/")


def test_the_served_shop_refuses_an_oversized_body_from_its_headers(shop_port: int) -> None:
    with socket.create_connection(("127.0.0.1", shop_port), timeout=10) as sock:
        sock.sendall(b"POST /webhooks/stripe HTTP/1.1\r\nHost: shop\r\nContent-Length: 314572800\r\n\r\n")
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert response.status == 413


def test_the_adapter_carries_on_after_the_shop_drops_its_idle_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(SHOP))
    import shop.adapter

    monkeypatch.setattr(shop.adapter, "BODY_TIMEOUT", 1)
    settings = StripeSettings("sk_test_idle", "2024-06-20", "http://127.0.0.1:9", None, "whsec_idle")  # type: ignore[arg-type]
    adapter = shop.adapter.ShopAdapter(settings, tmp_path)
    try:
        first = adapter.signup("first@example.com")
        idle = adapter._local.conn.sock
        time.sleep(3)  # past the timeout and the next sweep: the shop closes the kept-alive connection
        assert idle.recv(1, socket.MSG_PEEK) == b""  # it really was closed under the adapter
        second = adapter.signup("second@example.com")
    finally:
        adapter.close()
    assert second != first
