"""Monitoring shows an outage while it lasts and the recovery after, in JSON and Prometheus text."""

from __future__ import annotations

import re
from pathlib import Path

from harness.reference.connectivity import ConnectivityMonitor
from harness.reference.db import connect
from harness.reference.jobs import JobQueue
from harness.reference.monitoring import health_document, prometheus_text

#: One sample line of the text exposition format: name, optional labels, a number.
SAMPLE = re.compile(r'[a-z_]+(\{[a-z_]+="[a-z_]+"\})? -?[0-9.e+]+')


class Clock:
    now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_outage_and_recovery_are_exported(tmp_path: Path) -> None:
    conn = connect(tmp_path / "billing.sqlite3")
    clock = Clock()
    monitor = ConnectivityMonitor(conn, clock)
    monitor.success()
    monitor.failure("auth: Invalid API Key provided: sk_test_abcdefghijkl")
    clock.now += 30
    monitor.failure("network: timed out")

    during = health_document(conn)
    assert during["status"] == "degraded"
    assert during["stripe"]["down_since"] == 1_700_000_000.0
    assert "sk_test_abcdefghijkl" not in str(health_document(conn))  # a quoted key never reaches monitoring
    text = prometheus_text(conn)
    assert "billing_stripe_up 0\n" in text
    assert "billing_stripe_down_since_timestamp_seconds 1700000000.0\n" in text

    clock.now += 90
    monitor.success()
    after = health_document(conn)
    assert after["status"] == "ok"
    assert after["stripe"]["down_since"] is None
    assert (after["stripe"]["last_outage_seconds"], after["stripe"]["outages"]) == (120.0, 1)
    text = prometheus_text(conn)
    assert "billing_stripe_up 1\n" in text
    assert "billing_stripe_last_outage_duration_seconds 120.0\n" in text
    assert not [line for line in text.splitlines() if line.startswith("billing_stripe_down_since")]
    bad = [line for line in text.splitlines() if not line.startswith("#") and not SAMPLE.fullmatch(line)]
    assert not bad, bad


def test_queue_state_is_exported_with_keys_scrubbed_from_dead_letters(tmp_path: Path) -> None:
    conn = connect(tmp_path / "billing.sqlite3")
    clock = Clock()
    queue = JobQueue(conn, clock)
    queue.enqueue("ensure_customer", {"user_id": 1})
    queue.enqueue("ensure_customer", {"user_id": 2})
    conn.execute("UPDATE jobs SET max_attempts = 1 WHERE id = 1")
    job = queue.claim()
    assert job is not None
    queue.fail(job, "auth: Invalid API Key provided: sk_test_abcdefghijkl")
    clock.now += 42

    doc = health_document(conn, clock=clock)
    assert doc["status"] == "attention"
    assert doc["queue"]["oldest_due_seconds"] == 42.0
    assert doc["queue"]["expired_leases"] == 0
    [letter] = doc["queue"]["dead_letters"]
    assert (letter["id"], letter["kind"], letter["attempts"]) == (1, "ensure_customer", 1)
    assert "sk_test_abcdefghijkl" not in letter["last_error"]
    text = prometheus_text(conn, clock=clock)
    assert "billing_jobs_oldest_due_age_seconds 42.0\n" in text
    assert "billing_jobs_expired_leases 0\n" in text
    assert 'billing_jobs{status="dead"} 1\n' in text
    bad = [line for line in text.splitlines() if not line.startswith("#") and not SAMPLE.fullmatch(line)]
    assert not bad, bad
