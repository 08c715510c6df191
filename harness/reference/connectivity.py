"""Stripe connectivity as monitoring sees it, kept in the database so every process shares it."""

from __future__ import annotations

import sqlite3
import time
from typing import Any


class ConnectivityMonitor:
    """Counts consecutive failures to reach Stripe and remembers the last success and error."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def success(self) -> None:
        """Stripe answered (even with a card decline: it was reachable)."""
        self.conn.execute(
            "UPDATE stripe_connectivity SET last_success_at = ?, consecutive_failures = 0 WHERE id = 1",
            (time.time(),),
        )

    def failure(self, error: str) -> None:
        """Stripe could not be reached, refused the key, or failed on its side."""
        self.conn.execute(
            "UPDATE stripe_connectivity SET last_error_at = ?, last_error = ?, "
            "consecutive_failures = consecutive_failures + 1 WHERE id = 1",
            (time.time(), error),
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
        }
