"""A durable job queue in the integration's own database.

Non-critical Stripe work (repairing a customer, cleaning up an abandoned draft) is
queued in the same transaction as the state change that needs it, so it cannot be
lost, and retried with exponential backoff until it succeeds or is marked dead. A
worker claims a job by taking a lease; a worker killed mid-job simply lets the lease
expire and the job runs again, which is safe because every job is idempotent.

A job can be poison: its handler raises every time (the user was deleted, the invoice
row is gone) or kills the worker outright. Each such failure, and each lease that
expires, counts against ``max_attempts``; then the job is dead, with its last error
kept for the person who looks at it. Jobs are claimed oldest-due first and a failed
or reclaimed job goes to the back of the line, so a poison job never holds up the
jobs behind it while it uses up its attempts.
"""

from __future__ import annotations

import json
import sqlite3
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Seconds before the first retry; doubled on every failure up to MAX_BACKOFF.
BASE_BACKOFF = 2.0
MAX_BACKOFF = 3600.0
LEASE_SECONDS = 60.0


#: What a reclaimed job's ``last_error`` says: the worker is gone, so nothing better is known.
LEASE_EXPIRED = "lease expired while running: the worker stopped (killed, crashed or hung) before finishing"
#: Dead letters shown to monitoring, newest first; the rest are a query away.
DEAD_LETTERS_SHOWN = 10


@dataclass(frozen=True)
class Job:
    """One claimed job."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class DeadLetter:
    """A job given up on, and why: what an operator needs to fix and re-queue it."""

    id: int
    kind: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class QueueState:
    """The queue as monitoring sees it."""

    #: Jobs per status (only statuses that occur).
    counts: dict[str, int]
    #: How long the longest-waiting due job has waited past its due time; None when none is due.
    oldest_due_seconds: float | None
    #: ``running`` jobs whose lease has expired: their worker died and no worker has reclaimed them yet.
    expired_leases: int
    #: The newest dead letters (at most DEAD_LETTERS_SHOWN).
    dead: list[DeadLetter]


def describe_failure(exc: BaseException) -> str:
    """A job's ``last_error``: the exception and the line that raised it, so a dead letter can be acted on."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


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
            "ON CONFLICT(dedupe_key) DO UPDATE SET status = 'queued', attempts = 0, failures = 0, "
            "last_error = NULL, run_after = excluded.run_after WHERE jobs.status IN ('done', 'cancelled', 'dead')",
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
        """Lease the next due job, oldest due first, except ``skip``.

        Jobs whose lease expired first go back in the queue, at its end, with the lost run
        counted as a failure (or dead, if that was their last attempt): a job that kills its
        worker every time must neither run forever nor hold up the jobs queued behind it.
        """
        now = self.clock()
        due = "1" if ignore_backoff else "run_after <= :now"
        skipped = ",".join(str(int(i)) for i in skip) or "-1"
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute(
                "UPDATE jobs SET failures = failures + 1, lease_until = NULL, run_after = :now, last_error = :error, "
                "status = CASE WHEN failures + 1 >= max_attempts THEN 'dead' ELSE 'queued' END "
                "WHERE status = 'running' AND lease_until < :now",
                {"now": now, "error": LEASE_EXPIRED},
            )
            row = self.conn.execute(
                f"SELECT * FROM jobs WHERE status = 'queued' AND {due} AND id NOT IN ({skipped}) "
                "ORDER BY run_after, id LIMIT 1",
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

    def release(self, job: Job) -> None:
        """Put a job back, due now and not counted as failed: its worker was told to stop, the job did nothing wrong."""
        self.conn.execute(
            "UPDATE jobs SET status = 'queued', lease_until = NULL, run_after = ? WHERE id = ? AND status = 'running'",
            (self.clock(), job.id),
        )

    def fail(self, job: Job, error: str, *, transient: bool = False) -> None:
        """Schedule a retry with backoff, or give up once the job has failed ``max_attempts`` times.

        A ``transient`` failure (Stripe down, not the job wrong) never kills a job: an
        outage longer than the backoff schedule would otherwise turn every queued repair
        into a dead letter, and the work would be lost exactly when it matters. It still
        lengthens the backoff, so an outage is not hammered.
        """
        # The exponent is capped: transient failures retry forever and 2.0 ** 1100 overflows.
        delay = min(BASE_BACKOFF * 2 ** min(job.attempts - 1, 32), MAX_BACKOFF)
        failed = 0 if transient else 1
        self.conn.execute(
            "UPDATE jobs SET failures = failures + :failed, run_after = :run_after, lease_until = NULL, "
            "last_error = :error, status = CASE WHEN failures + :failed >= max_attempts THEN 'dead' ELSE 'queued' END "
            "WHERE id = :id",
            {"failed": failed, "run_after": self.clock() + delay, "error": error, "id": job.id},
        )

    def counts(self) -> dict[str, int]:
        """Jobs per status, for monitoring and scenario assertions."""
        rows = self.conn.execute("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
        return {row["status"]: row["n"] for row in rows}

    def state(self) -> QueueState:
        """Counts, the oldest due job's wait, expired leases and the newest dead letters, for monitoring."""
        now = self.clock()
        waits = self.conn.execute(
            "SELECT MIN(run_after) AS oldest, "
            "(SELECT COUNT(*) FROM jobs WHERE status = 'running' AND lease_until < :now) AS expired "
            "FROM jobs WHERE status = 'queued' AND run_after <= :now",
            {"now": now},
        ).fetchone()
        dead = self.conn.execute(
            "SELECT id, kind, attempts, last_error FROM jobs WHERE status = 'dead' ORDER BY id DESC LIMIT ?",
            (DEAD_LETTERS_SHOWN,),
        )
        return QueueState(
            counts=self.counts(),
            oldest_due_seconds=None if waits["oldest"] is None else now - waits["oldest"],
            expired_leases=waits["expired"],
            dead=[DeadLetter(r["id"], r["kind"], r["attempts"], r["last_error"]) for r in dead],
        )
