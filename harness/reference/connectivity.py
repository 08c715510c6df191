"""Stripe connectivity as monitoring sees it, kept in the database so every process shares it.

Besides the current streak it remembers when the current outage began and how long the
last one lasted, so a dashboard can show both the outage and the recovery after the
fact, not only whether the latest call worked.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any


class ConnectivityMonitor:
    """Counts consecutive failures to reach Stripe and remembers outages and recoveries."""

    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], float] = time.time) -> None:
        self.conn = conn
        self.clock = clock

    def success(self) -> None:
        """Stripe answered (even with a card decline: it was reachable); ends an outage if one was on."""
        now = self.clock()
        self.conn.execute(
            "UPDATE stripe_connectivity SET last_success_at = :now, consecutive_failures = 0, "
            "last_recovered_at = CASE WHEN down_since IS NULL THEN last_recovered_at ELSE :now END, "
            "last_outage_seconds = CASE WHEN down_since IS NULL THEN last_outage_seconds "
            "ELSE :now - down_since END, down_since = NULL WHERE id = 1",
            {"now": now},
        )

    def failure(self, error: str) -> None:
        """Stripe could not be reached, refused the key, or failed on its side; may start an outage."""
        self.conn.execute(
            "UPDATE stripe_connectivity SET last_error_at = :now, last_error = :error, "
            "consecutive_failures = consecutive_failures + 1, "
            "outages = outages + (down_since IS NULL), down_since = COALESCE(down_since, :now) WHERE id = 1",
            {"now": self.clock(), "error": error},
        )

    def status(self) -> dict[str, Any]:
        """The health document: ``healthy`` is false while the latest call failed."""
        row = self.conn.execute("SELECT * FROM stripe_connectivity WHERE id = 1").fetchone()
        return {
            "healthy": row["consecutive_failures"] == 0,
            "last_success_at": row["last_success_at"],
            "last_error_at": row["last_error_at"],
            "last_error": row["last_error"],
            "consecutive_failures": row["consecutive_failures"],
            "down_since": row["down_since"],
            "last_recovered_at": row["last_recovered_at"],
            "last_outage_seconds": row["last_outage_seconds"],
            "outages": row["outages"],
        }
