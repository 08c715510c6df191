"""What a hostile body costs the reference webhook endpoint: memory, bytes read, time to the answer.

    python benchmarks/bench_webhook_limits.py [--body-mib 300] [--deliveries 500] [--write]

Serves the reference handler with ``harness.reference.webhook_app.serve`` on 127.0.0.1,
then streams an unsigned body of ``--body-mib`` MiB at it from one reused 1 MiB buffer (so
the client's own memory stays flat) and reports the process's resident memory before and
after, its peak, how much of the body the client got to send before the answer, and the
answer. Then it times ``--deliveries`` signed deliveries over HTTP, one connection each,
as Stripe makes them. Run it from an older checkout to compare (it only uses ``serve``).
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from results_md import stamp, write_section

from harness.reference.db import connect
from harness.reference.webhook_app import serve
from harness.reference.webhooks import WebhookHandler
from harness.webhooks.delivery import http_sender, sign
from harness.webhooks.events import build_event

SECRET = "whsec_bench"
VERSION = "2024-06-20"
MIB = 1024 * 1024


def memory_mib() -> tuple[float, float]:
    """Resident and peak resident memory of this process, in MiB (Linux /proc)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def stream_body(url: str, size: int) -> tuple[int, int, float]:
    """POST ``size`` bytes; returns (status, bytes sent before the server answered or hung up, seconds)."""
    host, _, rest = url.removeprefix("http://").partition(":")
    port, _, path = rest.partition("/")
    chunk = b"x" * MIB
    sent = 0
    start = time.perf_counter()
    with socket.create_connection((host, int(port)), timeout=120) as sock:
        sock.sendall(f"POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {size}\r\n"
                     "Stripe-Signature: t=1,v1=0\r\n\r\n".encode())
        try:
            while sent < size:
                sock.sendall(chunk[: size - sent])
                sent += min(MIB, size - sent)
        except OSError:  # refused: the server answered and closed without reading the rest
            pass
        response = http.client.HTTPResponse(sock)
        response.begin()
        response.read()
    return response.status, sent, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body-mib", type=int, default=300, help="size of the hostile body (default 300)")
    parser.add_argument("--deliveries", type=int, default=500, help="signed deliveries timed over HTTP")
    parser.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        conn = connect(Path(tmp) / "bench.sqlite3")
        handler = WebhookHandler(conn, SECRET)
        with serve(lambda body, sig: handler.handle(body, sig, pinned_version=VERSION)) as url:
            before, _ = memory_mib()
            status, sent, seconds = stream_body(url, args.body_mib * MIB)
            after, peak = memory_mib()
            deliveries = [sign(build_event("invoice.paid", {"id": f"in_{n}"}, api_version=VERSION), SECRET)
                          for n in range(args.deliveries)]
            post = http_sender(url)
            start = time.perf_counter()
            statuses = {post(d.payload, d.signature).status for d in deliveries}
            rate = len(deliveries) / (time.perf_counter() - start)
        conn.close()

    lines = [
        f"## Webhook endpoint limits ({stamp()}, `python benchmarks/bench_webhook_limits.py`)",
        "",
        f"An unsigned {args.body_mib} MiB body: answered **{status}** after the client sent {sent / MIB:,.1f} MiB "
        f"in {seconds:.2f} s; resident memory {before:,.0f} -> {after:,.0f} MiB (peak {peak:,.0f} MiB).",
        f"{len(deliveries)} signed deliveries over HTTP, a connection each: {rate:,.0f}/s, statuses {sorted(statuses)} "
        f"(load average {os.getloadavg()[0]:.1f}: the rate is the machine's as much as the server's).",
    ]
    print("\n".join(lines[2:]))
    if args.write:
        write_section("## Webhook endpoint limits", "\n".join(lines))


if __name__ == "__main__":
    main()
