# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) stripe-compat contributors
#
# This program is free software: you can redistribute it and/or modify it under the terms of
# the GNU General Public License as published by the Free Software Foundation, either version 3
# of the License, or (at your option) any later version.
#
# This program is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY;
# without even the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.
# See the GNU General Public License for more details: <https://www.gnu.org/licenses/>.
"""The server process: bind 127.0.0.1, report the port, serve until told to stop.

Stock ``localstripe --port N`` listens on every interface (``[::]``), needs a fixed
port, and reloads a pickle from /tmp. Here the port is chosen by the kernel (``--port 0``)
and reported as one JSON line on stdout, so that parallel test workers never collide.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sys
from typing import Any

#: Exit status when localstripe is not importable (sysexits EX_UNAVAILABLE); the parent
#: turns it into BackendUnavailable.
EXIT_UNAVAILABLE = 69
HOST = "127.0.0.1"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line: see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m harness.backends.localstripe.server")
    parser.add_argument("--port", type=int, default=0, help="0 (the default) lets the kernel pick a free port")
    parser.add_argument("--api-key", default="sk_test_stripe_compat", help="the key --strict-keys accepts")
    parser.add_argument("--strict-keys", action="store_true", help="reject every API key but --api-key")
    parser.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="stop when stdin closes: the parent keeps it open, so the server never outlives it",
    )
    return parser.parse_args(argv)


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    return sock


async def _serve(app: Any, sock: socket.socket, watch_stdin: bool) -> None:
    from aiohttp import web

    # No access log: a line per request would be file I/O on every call.
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    port = sock.getsockname()[1]
    print(json.dumps({"listening": f"http://{HOST}:{port}", "port": port, "pid": os.getpid()}), flush=True)
    # The parent stops reading stdout after that line; anything printed later goes to stderr.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if watch_stdin:
        stdin = sys.stdin.fileno()

        def on_stdin() -> None:
            if not os.read(stdin, 4096):
                loop.remove_reader(stdin)
                stop.set()

        loop.add_reader(stdin, on_stdin)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    """Run the server until SIGTERM/SIGINT (or stdin EOF with --exit-on-stdin-eof)."""
    args = parse_args(argv)
    try:
        from . import app
    except ImportError as exc:
        print(
            f"localstripe cannot be imported by {sys.executable} ({exc}). "
            "Install it with: pip install 'stripe-compat[localstripe]'",
            file=sys.stderr,
        )
        sys.exit(EXIT_UNAVAILABLE)
    application = app.build(args.api_key, strict_keys=args.strict_keys)
    asyncio.run(_serve(application, _bind(args.port), args.exit_on_stdin_eof))
