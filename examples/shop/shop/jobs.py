"""A durable retry queue for Stripe work nobody is waiting for.

Jobs are documents in the shop's database, written in the same transaction as the state
that needs them, so a crash cannot lose one. One job per subject (its key): asking again
for work already queued does nothing, asking after it finished queues it afresh. A
failed job, whatever it raised (a Stripe failure, or a KeyError for a user deleted since),
waits twice as long each time and is given up ("dead") after ``MAX_ATTEMPTS``, where an
operator sees it with its last error. The shop runs one worker, the
``/ops/jobs/run`` route, so jobs need no leases.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from .store import DocumentStore
from .stripe_api import StripeFailure

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_DELAY = 5.0
LONGEST_DELAY = 3600.0

Handler = Callable[[dict[str, Any]], None]


class RetryQueue:
    """Schedule and run jobs kept in the ``jobs`` collection."""

    def __init__(self, store: DocumentStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def schedule(self, kind: str, args: dict[str, Any], *, key: str) -> None:
        """Queue ``kind(args)`` unless a job with ``key`` is already waiting."""
        existing = self._store.get("jobs", key)
        if existing and existing["state"] == "queued":
            return
        job = {"kind": kind, "args": args, "state": "queued", "attempts": 0, "due_at": self._clock(), "error": None}
        self._store.put("jobs", key, job)

    def run(self, handlers: Mapping[str, Handler], *, ignore_backoff: bool = False) -> int:
        """Run every queued job that is due once; returns how many ran."""
        now = self._clock()
        ran = 0
        for key, job in self._store.find("jobs", "$.state", "queued"):
            if job["due_at"] > now and not ignore_backoff:
                continue
            ran += 1
            job["attempts"] += 1
            try:
                handlers[job["kind"]](job["args"])
            except Exception as exc:  # a job that raises fails alone: the jobs after it still run
                log.warning("job %s failed (attempt %d)", key, job["attempts"], exc_info=True)
                delay = min(FIRST_DELAY * 2 ** (job["attempts"] - 1), LONGEST_DELAY)
                error = str(exc) if isinstance(exc, StripeFailure) else f"{type(exc).__name__}: {exc}"
                job.update(error=error, due_at=now + delay)
                job["state"] = "dead" if job["attempts"] >= MAX_ATTEMPTS else "queued"
            else:
                job.update(state="done", error=None)
            self._store.put("jobs", key, job)
        return ran

    def states(self) -> dict[str, int]:
        """Jobs per state, for the billing snapshot."""
        counts: dict[str, int] = {}
        for _, job in self._store.all("jobs"):
            counts[job["state"]] = counts.get(job["state"], 0) + 1
        return counts
