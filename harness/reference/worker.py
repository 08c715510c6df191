"""The queue worker as its own process: ``STRIPE_API_KEY=sk_test_... python -m harness.reference.worker --db ...``.

A separate process over the same SQLite file, as production runs it, so that killing it
(OOM, SIGKILL) is a real crash: whatever it was doing is recovered by the lease expiring
and the job running again, which the jobs' idempotency makes safe, and the lost run counts
against the job's attempts. SIGTERM (a deploy, ``docker stop``) is a stop instead: the job
in hand goes back to the queue at once, uncounted, and the worker exits 0.

The Stripe key comes from ``STRIPE_API_KEY`` only: a command line is readable by every
user of the machine (``ps``, ``/proc/<pid>/cmdline``) and ends up in process listings
and crash reports.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

import stripe

from .billing import BillingService
from .connectivity import ConnectivityMonitor
from .db import connect
from .gateway import StripeGateway
from .jobs import LEASE_SECONDS

#: Where the worker reads its Stripe secret key.
API_KEY_VARIABLE = "STRIPE_API_KEY"


def build_service(db: Path, api_key: str, api_version: str, *, lease_seconds: float = LEASE_SECONDS) -> BillingService:
    """A billing service over ``db`` whose queue leases jobs for ``lease_seconds``."""
    conn = connect(db)
    gateway = StripeGateway(api_key, api_version, ConnectivityMonitor(conn))
    return BillingService(conn, gateway, lease_seconds=lease_seconds)


def _stop(signum: int, frame: FrameType | None) -> None:
    # Raised wherever the worker is, even inside a Stripe call: run_jobs releases the job on the way out.
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    """Run due jobs until the queue is empty (``--until-empty``) or forever, polling."""
    parser = argparse.ArgumentParser(prog="python -m harness.reference.worker", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="the integration's SQLite database")
    parser.add_argument("--api-base", required=True, help="where Stripe is, e.g. https://api.stripe.com")
    parser.add_argument("--api-version", required=True, help="the pinned Stripe API version")
    parser.add_argument("--lease", type=float, default=LEASE_SECONDS, help="seconds a claimed job is held")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between polls of an empty queue")
    parser.add_argument("--until-empty", action="store_true", help="exit once no job is due")
    args = parser.parse_args(argv)
    api_key = os.environ.get(API_KEY_VARIABLE, "").strip()
    if not api_key:
        parser.error(f"{API_KEY_VARIABLE} is not set: export the Stripe secret key there (never on the command line)")
    stripe.api_base = args.api_base
    stripe.max_network_retries = 0  # the queue is the retry policy
    service = build_service(args.db, api_key, args.api_version, lease_seconds=args.lease)
    signal.signal(signal.SIGTERM, _stop)
    while True:
        if service.run_jobs() == 0:
            if args.until_empty:
                return 0
            time.sleep(args.poll)


if __name__ == "__main__":
    raise SystemExit(main())
