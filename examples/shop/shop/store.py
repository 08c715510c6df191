"""The shop's storage: JSON documents in one SQLite table, keyed by collection and key.

A small service often starts like this rather than with a relational schema: each user
is one document holding their billing sub-document, updated whole. SQLite still gives
what billing needs: one file that survives restarts (the retry queue lives here too),
``BEGIN IMMEDIATE`` transactions, and ``json_extract`` to find a document by a field.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL CHECK (json_valid(body)),
    PRIMARY KEY (collection, key)
);
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, last INTEGER NOT NULL);
"""

Doc = dict[str, Any]


class DocumentStore:
    """Get, put and query JSON documents; the web server's single thread is its only user."""

    def __init__(self, path: Path) -> None:
        # The server thread, not the thread that built the app, runs every query.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes so a state change and the work it queues land together (re-entrant)."""
        if self._depth == 0:
            self._db.execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self._db.execute("ROLLBACK")
            raise
        self._depth -= 1
        if self._depth == 0:
            self._db.execute("COMMIT")

    def next_id(self, sequence: str) -> str:
        """The next id of ``sequence`` ("1", "2", ...), never reused."""
        row = self._db.execute(
            "INSERT INTO sequences (name, last) VALUES (?, 1) "
            "ON CONFLICT(name) DO UPDATE SET last = last + 1 RETURNING last",
            (sequence,),
        ).fetchone()
        return str(row[0])

    def get(self, collection: str, key: str) -> Doc | None:
        """The document, or None."""
        row = self._db.execute(
            "SELECT body FROM documents WHERE collection = ? AND key = ?", (collection, key)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, collection: str, key: str, doc: Doc) -> None:
        """Insert or replace the whole document."""
        self._db.execute(
            "INSERT OR REPLACE INTO documents (collection, key, body) VALUES (?, ?, ?)",
            (collection, key, json.dumps(doc, sort_keys=True)),
        )

    def add(self, collection: str, key: str, doc: Doc) -> bool:
        """Insert unless the key exists; False means it was already there."""
        cur = self._db.execute(
            "INSERT OR IGNORE INTO documents (collection, key, body) VALUES (?, ?, ?)",
            (collection, key, json.dumps(doc, sort_keys=True)),
        )
        return cur.rowcount == 1

    def find(self, collection: str, path: str, value: Any) -> list[tuple[str, Doc]]:
        """Documents whose field at JSON ``path`` (e.g. ``$.billing.customer``) equals ``value``."""
        rows = self._db.execute(
            "SELECT key, body FROM documents WHERE collection = ? AND json_extract(body, ?) = ? ORDER BY rowid",
            (collection, path, value),
        )
        return [(key, json.loads(body)) for key, body in rows]

    def all(self, collection: str) -> list[tuple[str, Doc]]:
        """Every document of ``collection`` in insertion order."""
        rows = self._db.execute("SELECT key, body FROM documents WHERE collection = ? ORDER BY rowid", (collection,))
        return [(key, json.loads(body)) for key, body in rows]

    def count(self, collection: str) -> int:
        """How many documents ``collection`` holds."""
        return int(self._db.execute("SELECT COUNT(*) FROM documents WHERE collection = ?", (collection,)).fetchone()[0])

    def close(self) -> None:
        """Close the database file."""
        self._db.close()
