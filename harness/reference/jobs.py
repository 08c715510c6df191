"""A durable job queue in the integration's own database.

Non-critical Stripe work (repairing a customer, cleaning up an abandoned draft) is
queued in the same transaction as the state change that needs it, so it cannot be
lost, and retried with exponential backoff until it succeeds or is marked dead. A
worker claims a job by taking a lease; a worker killed mid-job simply lets the lease
expire and the job runs again, which is safe because every job is idempotent.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Seconds before the first retry; doubled on every failure up to MAX_BACKOFF.
BASE_BACKOFF = 2.0
MAX_BACKOFF = 3600.0
LEASE_SECONDS = 60.0


@dataclass(frozen=True)
class Job:
    """One claimed job."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


class JobQueue:
    """Enqueue, claim, complete and fail jobs; all state is in SQLite."""

    def __init__(
        self, conn: sqlite3.Connection, clock: Callable[[], float] = time.time, *, lease_seconds: float = LEASE_SECONDS
    ) -> None:
        self.conn = conn
        self.clock = clock
        self.lease_seconds = lease_seconds

    def enqueue(
        self, kind: str, payload: dict[str, Any], *, dedupe_key: str | None = None, delay: float = 0.0
    ) -> None:
        """Queue a job due in ``delay`` seconds; a second job with the same live ``dedupe_key`` is not added.

        A finished, cancelled or dead job with that key is queued again with fresh
        attempts: a new need for the work deserves a new chance, not a dead letter.
        """
        self.conn.execute(
            "INSERT INTO jobs (kind, payload, dedupe_key, run_after) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(dedupe_key) DO UPDATE SET status = 'queued', attempts = 0, run_after = excluded.run_after "
            "WHERE jobs.status IN ('done', 'cancelled', 'dead')",
            (kind, json.dumps(payload, sort_keys=True), dedupe_key, self.clock() + delay),
        )

    def expedite(self, dedupe_key: str) -> None:
        """Make a queued job due now (it was parked as a safety net and is needed after all)."""
        self.conn.execute(
            "UPDATE jobs SET run_after = ? WHERE dedupe_key = ? AND status = 'queued'", (self.clock(), dedupe_key)
        )

    def cancel(self, dedupe_key: str) -> None:
        """Drop a queued safety-net job whose work turned out not to be needed."""
        self.conn.execute(
            "UPDATE jobs SET status = 'cancelled' WHERE dedupe_key = ? AND status = 'queued'", (dedupe_key,)
        )

    def claim(self, *, ignore_backoff: bool = False, skip: frozenset[int] = frozenset()) -> Job | None:
        """Lease the next due job (or one whose previous worker died), if any, except ``skip``."""
        now = self.clock()
        due = "1" if ignore_backoff else "run_after <= :now"
        skipped = ",".join(str(int(i)) for i in skip) or "-1"
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            row = self.conn.execute(
                f"SELECT * FROM jobs WHERE ((status = 'queued' AND {due}) "
                f"OR (status = 'running' AND lease_until < :now)) AND id NOT IN ({skipped}) ORDER BY id LIMIT 1",
                {"now": now},
            ).fetchone()
            if row is None:
                self.conn.execute("COMMIT")
                return None
            self.conn.execute(
                "UPDATE jobs SET status = 'running', lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                (now + self.lease_seconds, row["id"]),
            )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return Job(row["id"], row["kind"], json.loads(row["payload"]), row["attempts"] + 1)

    def complete(self, job: Job) -> None:
        """The job's work is done."""
        self.conn.execute("UPDATE jobs SET status = 'done', lease_until = NULL WHERE id = ?", (job.id,))

    def fail(self, job: Job, error: str, *, transient: bool = False) -> None:
        """Schedule a retry with backoff, or give up after ``max_attempts``.

        A ``transient`` failure (Stripe down, not the job wrong) never kills a job: an
        outage longer than the backoff schedule would otherwise turn every queued repair
        into a dead letter, and the work would be lost exactly when it matters.
        """
        # The exponent is capped: transient failures retry forever and 2.0 ** 1100 overflows.
        delay = min(BASE_BACKOFF * 2 ** min(job.attempts - 1, 32), MAX_BACKOFF)
        self.conn.execute(
            "UPDATE jobs SET status = CASE WHEN attempts >= max_attempts AND NOT ? THEN 'dead' ELSE 'queued' END, "
            "run_after = ?, lease_until = NULL, last_error = ? WHERE id = ?",
            (transient, self.clock() + delay, error, job.id),
        )

    def counts(self) -> dict[str, int]:
        """Jobs per status, for monitoring and scenario assertions."""
        rows = self.conn.execute("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
        return {row["status"]: row["n"] for row in rows}
