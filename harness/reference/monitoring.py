"""Export billing health in the two forms monitoring systems read: JSON and Prometheus text.

The connectivity monitor and the job queue already live in the database every process
shares, so any process (the web app's ``/health`` handler, the worker, a cron probe)
can render these from a connection without talking to Stripe. See docs/monitoring.md.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from ..cassettes.scrub import scrub_text
from .connectivity import ConnectivityMonitor
from .jobs import JobQueue

_JOB_STATUSES = ("queued", "running", "done", "cancelled", "dead")
_BILLING_STATES = ("none", "pending", "ready", "failed", "missing")


def health_document(conn: sqlite3.Connection, *, clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """The JSON health document: connectivity, queue depth and state, users per billing state.

    ``status`` is ``ok``, ``degraded`` (Stripe down: payments fail, signup still works)
    or ``attention`` (Stripe up but jobs are dead and need a person).
    """
    connectivity = ConnectivityMonitor(conn).status()
    if connectivity["last_error"]:
        connectivity["last_error"] = scrub_text(connectivity["last_error"])  # errors can quote keys
    queue = JobQueue(conn, clock).state()
    jobs = {status: 0 for status in _JOB_STATUSES} | queue.counts
    dead_letters = [
        asdict(letter) | {"last_error": letter.last_error and scrub_text(letter.last_error)} for letter in queue.dead
    ]
    users = {state: 0 for state in _BILLING_STATES}
    for row in conn.execute("SELECT billing_state, COUNT(*) AS n FROM users GROUP BY billing_state"):
        users[row["billing_state"]] = row["n"]
    if not connectivity["healthy"]:
        status = "degraded"
    elif jobs["dead"]:
        status = "attention"
    else:
        status = "ok"
    return {
        "status": status,
        "stripe": connectivity,
        "jobs": jobs,
        "queue": {
            "oldest_due_seconds": queue.oldest_due_seconds,
            "expired_leases": queue.expired_leases,
            "dead_letters": dead_letters,
        },
        "users_by_billing_state": users,
    }


def _sample(name: str, value: float | None, labels: str = "") -> str | None:
    if value is None:
        return None  # Prometheus has no null: an absent sample is how "never" is said
    # repr keeps a timestamp's full precision, where :g would round it to the hour.
    return f"{name}{labels} {value!r}" if isinstance(value, float) else f"{name}{labels} {int(value)}"


#: (metric, type, help, key of the connectivity status it reads).
_STRIPE_METRICS: tuple[tuple[str, str, str, str], ...] = (
    ("billing_stripe_up", "gauge", "1 when the latest Stripe call succeeded, 0 during an outage.", "healthy"),
    ("billing_stripe_consecutive_failures", "gauge", "Stripe calls failed in a row.", "consecutive_failures"),
    ("billing_stripe_last_success_timestamp_seconds", "gauge", "Unix time of the latest successful Stripe call.",
     "last_success_at"),
    ("billing_stripe_last_error_timestamp_seconds", "gauge", "Unix time of the latest failed Stripe call.",
     "last_error_at"),
    ("billing_stripe_down_since_timestamp_seconds", "gauge", "Unix time the current outage began (absent when up).",
     "down_since"),
    ("billing_stripe_last_recovery_timestamp_seconds", "gauge", "Unix time the latest outage ended.",
     "last_recovered_at"),
    ("billing_stripe_last_outage_duration_seconds", "gauge", "How long the latest finished outage lasted.",
     "last_outage_seconds"),
    ("billing_stripe_outages_total", "counter", "Outages begun since the database was created.", "outages"),
)
#: (metric, help, label, key of the health document holding {label value: count}).
_COUNT_METRICS: tuple[tuple[str, str, str, str], ...] = (
    ("billing_jobs", "Jobs in the integration's queue, by status.", "status", "jobs"),
    ("billing_users", "Users by billing state.", "billing_state", "users_by_billing_state"),
)


#: (metric, help, the queue's value in the health document; 0 stands for "none").
_QUEUE_METRICS: tuple[tuple[str, str, Callable[[dict[str, Any]], float]], ...] = (
    ("billing_jobs_oldest_due_age_seconds", "How long the longest-waiting due job has waited (0 when none is due).",
     lambda queue: queue["oldest_due_seconds"] or 0),
    ("billing_jobs_expired_leases", "Running jobs whose lease expired: their worker died and none reclaimed them yet.",
     lambda queue: queue["expired_leases"]),
)


def prometheus_text(conn: sqlite3.Connection, *, clock: Callable[[], float] = time.time) -> str:
    """The same picture in Prometheus text exposition format 0.0.4, for a ``/metrics`` handler."""
    doc = health_document(conn, clock=clock)
    lines: list[str | None] = []
    for name, kind, help_text, key in _STRIPE_METRICS:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", _sample(name, doc["stripe"][key])]
    for name, help_text, read in _QUEUE_METRICS:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", _sample(name, read(doc["queue"]))]
    for name, help_text, label, key in _COUNT_METRICS:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        lines += [_sample(name, n, f'{{{label}="{value}"}}') for value, n in doc[key].items()]
    return "\n".join(line for line in lines if line is not None) + "\n"
