"""Poison jobs: a handler that raises whatever it raises fails that job only, never the worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from harness.config import OFFLINE_API_KEY
from harness.reference.billing import BillingService
from harness.reference.connectivity import ConnectivityMonitor
from harness.reference.db import connect
from harness.reference.gateway import StripeGateway
from harness.reference.monitoring import health_document, prometheus_text

API_VERSION = "2024-06-20"


class Clock:
    now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _service(db: Path, clock: Clock) -> BillingService:
    conn = connect(db)
    # No job here reaches Stripe: the good one finds its invoice settled, the poison ones fail first.
    return BillingService(conn, StripeGateway(OFFLINE_API_KEY, API_VERSION, ConnectivityMonitor(conn)), clock=clock)


def _queue_poison_and_good_jobs(service: BillingService) -> None:
    user = service.signup("ada@example.com")
    service.conn.execute(
        "INSERT INTO invoices (user_id, status, currency, updated_at) VALUES (?, 'paid', 'usd', 0)", (user,)
    )
    # The user deleted after the job was queued: _user raises KeyError.
    service.jobs.enqueue("ensure_customer", {"user_id": 999}, dedupe_key="ensure_customer:999")
    # The invoice row gone: indexing the missing row raises TypeError.
    service.jobs.enqueue("discard_invoice", {"invoice": 999, "customer_id": "cus_1", "idempotency_key": "k"})
    service.jobs.enqueue("discard_invoice", {"invoice": 1, "customer_id": "cus_1", "idempotency_key": "k1"})


def test_raising_jobs_are_retried_then_dead_lettered_and_the_job_behind_them_runs(tmp_path: Path) -> None:
    clock = Clock()
    service = _service(tmp_path / "billing.sqlite3", clock)
    _queue_poison_and_good_jobs(service)

    assert service.run_jobs() == 3
    assert service.jobs.counts() == {"queued": 2, "done": 1}
    rounds = 1
    while service.jobs.counts().get("queued"):
        clock.now += 3600  # past any backoff
        service.run_jobs()
        rounds += 1
    assert rounds == 8  # max_attempts
    errors = {letter.kind: letter.last_error for letter in service.jobs.state().dead}
    assert errors["ensure_customer"].startswith("KeyError: 'No user with id 999.' (at billing.py:")
    assert errors["discard_invoice"].startswith("TypeError: 'NoneType' object is not subscriptable (at billing.py:")

    doc = health_document(service.conn, clock=clock)
    assert doc["status"] == "attention"
    assert doc["jobs"]["dead"] == 2
    assert {letter["kind"]: letter["last_error"] for letter in doc["queue"]["dead_letters"]} == errors
    assert 'billing_jobs{status="dead"} 2\n' in prometheus_text(service.conn, clock=clock)


def test_the_worker_process_survives_a_poison_job(tmp_path: Path) -> None:
    db = tmp_path / "billing.sqlite3"
    service = _service(db, Clock())
    _queue_poison_and_good_jobs(service)
    service.conn.execute("UPDATE jobs SET run_after = 0")

    worker = subprocess.run(
        [sys.executable, "-m", "harness.reference.worker", "--db", str(db), "--api-base", "http://127.0.0.1:9",
         "--api-version", API_VERSION, "--until-empty"],
        env={**os.environ, "STRIPE_API_KEY": OFFLINE_API_KEY},  # the worker's key, never on its command line
        capture_output=True, text=True, timeout=60, check=False,
    )

    assert (worker.returncode, worker.stderr) == (0, "")
    rows = service.conn.execute("SELECT kind, status, failures, last_error FROM jobs ORDER BY id").fetchall()
    assert [(r["status"], r["failures"]) for r in rows] == [("queued", 1), ("queued", 1), ("done", 0)]
    assert rows[0]["last_error"].startswith("KeyError:")


def test_sigterm_puts_the_job_in_hand_back_uncounted_and_the_worker_exits_0(tmp_path: Path) -> None:
    db = tmp_path / "billing.sqlite3"
    service = _service(db, Clock())
    user = service.signup("ada@example.com")
    service.jobs.enqueue("ensure_customer", {"user_id": user}, dedupe_key=f"ensure_customer:{user}")
    service.conn.execute("UPDATE jobs SET run_after = 0")
    with socket.socket() as stripe_that_never_answers:
        stripe_that_never_answers.bind(("127.0.0.1", 0))
        stripe_that_never_answers.listen()  # connections queue in the backlog; nobody answers them
        port = stripe_that_never_answers.getsockname()[1]
        worker = subprocess.Popen(
            [sys.executable, "-m", "harness.reference.worker", "--db", str(db), "--api-base",
             f"http://127.0.0.1:{port}", "--api-version", API_VERSION],
            env={**os.environ, "STRIPE_API_KEY": OFFLINE_API_KEY}, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 30
        while service.jobs.counts() != {"running": 1}:  # claimed, and waiting on Stripe
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            assert time.monotonic() < deadline, "the worker never claimed the job"
            time.sleep(0.02)
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=30)

    assert (worker.returncode, stderr) == (0, "")
    row = service.conn.execute("SELECT status, failures, lease_until, last_error FROM jobs").fetchone()
    assert tuple(row) == ("queued", 0, None, None)
