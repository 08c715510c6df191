"""The queue worker, a real subprocess, SIGKILLed mid-job again and again: nothing lost, nothing twice."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.backends.localstripe import LocalstripeBackend
from harness.chaos.account import Account
from harness.config import OFFLINE_API_KEY
from harness.reference.billing import BillingService
from harness.reference.connectivity import ConnectivityMonitor
from harness.reference.db import connect
from harness.reference.gateway import StripeGateway

API_VERSION = "2024-06-20"
USERS = 40
KILLS = 6
LEASE = 0.3


@pytest.fixture(scope="module")
def localstripe() -> Iterator[LocalstripeBackend]:
    with LocalstripeBackend(api_key=OFFLINE_API_KEY) as backend:
        yield backend


def _progress(db: Path) -> int:
    """Jobs a worker has touched (claimed or finished): the sign it is in the middle of work."""
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute("SELECT COUNT(*) FROM jobs WHERE status != 'queued' OR attempts > 0").fetchone()[0]


def _kill_mid_work(command: list[str], db: Path, rng: random.Random) -> None:
    before = _progress(db)
    worker = subprocess.Popen(command, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    deadline = time.monotonic() + 20
    while _progress(db) == before and worker.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 0.03))  # somewhere inside a job: before, during or after its Stripe call
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    time.sleep(LEASE)  # the dead worker's lease runs out, as it would after a crash


def test_killed_workers_lose_no_job_and_make_no_duplicate_customer(
    tmp_path: Path, localstripe: LocalstripeBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", OFFLINE_API_KEY)  # the worker's key, never on its command line
    localstripe.reset()
    db = tmp_path / "billing.sqlite3"
    conn = connect(db)
    service = BillingService(conn, StripeGateway(OFFLINE_API_KEY, API_VERSION, ConnectivityMonitor(conn)))
    users = [service.signup(f"crash-{n}@example.com") for n in range(USERS)]
    for user_id in users:
        service.jobs.enqueue("ensure_customer", {"user_id": user_id}, dedupe_key=f"ensure_customer:{user_id}")
    command = [
        sys.executable, "-m", "harness.reference.worker", "--db", str(db), "--api-base", localstripe.api_base,
        "--api-version", API_VERSION, "--lease", str(LEASE), "--poll", "0.01",
    ]

    rng = random.Random(6)
    for _ in range(KILLS):
        _kill_mid_work(command, db, rng)
    subprocess.run([*command, "--until-empty"], check=True, timeout=60)

    assert service.jobs.counts() == {"done": USERS}
    rows = conn.execute("SELECT id, billing_state, stripe_customer_id FROM users").fetchall()
    assert {r["billing_state"] for r in rows} == {"ready"}
    interrupted = conn.execute("SELECT COUNT(*) FROM jobs WHERE attempts > 1").fetchone()[0]
    assert interrupted >= 1, "no kill landed inside a job; the test proved nothing"
    by_user = Account(localstripe, OFFLINE_API_KEY, API_VERSION).customers_by_user()
    assert {str(r["id"]): [r["stripe_customer_id"]] for r in rows} == by_user  # one each, no orphans
