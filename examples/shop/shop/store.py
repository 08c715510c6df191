"""The shop's storage: JSON documents in one SQLite table, keyed by collection and key.

A small service often starts like this rather than with a relational schema: each user
is one document holding their billing sub-document, updated whole. SQLite still gives
what billing needs: one file that survives restarts (the retry queue lives here too),
``BEGIN IMMEDIATE`` transactions between the server's threads (in WAL mode, so reads go
on meanwhile), and ``json_extract`` to find a document by a field.
"""

from __future__ import annotations

import json
import sqlite3
import threading
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
    """Get, put and query JSON documents from any number of threads.

    The web server answers each request on its own thread, so the store hands each
    thread a connection of its own from a small pool (a SQLite connection and its
    transaction must never be shared between threads). Write transactions start with
    ``BEGIN IMMEDIATE``, so two requests changing the same documents take turns;
    WAL lets reads go on meanwhile.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._opened: list[sqlite3.Connection] = []
        self._local = threading.local()
        with self._connection() as db:
            db.executescript(_SCHEMA)

    def _open(self) -> sqlite3.Connection:
        # timeout: how long a writer waits for another thread's transaction to end.
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint; safe with WAL
        return db

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection: the one its open transaction uses, else one from the pool."""
        held = getattr(self._local, "db", None)
        if held is not None:
            yield held
            return
        with self._lock:
            db = self._idle.pop() if self._idle else None
        if db is None:
            db = self._open()
            with self._lock:
                self._opened.append(db)
        self._local.db = db
        try:
            yield db
        finally:
            self._local.db = None
            with self._lock:
                self._idle.append(db)

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._connection() as db:
            return db.execute(sql, params).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes so a state change and the work it queues land together (re-entrant)."""
        with self._connection() as db:
            depth = getattr(self._local, "depth", 0)
            if depth == 0:
                db.execute("BEGIN IMMEDIATE")
            self._local.depth = depth + 1
            try:
                yield
            except BaseException:
                self._local.depth = depth
                if depth == 0:
                    db.execute("ROLLBACK")
                raise
            self._local.depth = depth
            if depth == 0:
                db.execute("COMMIT")

    def next_id(self, sequence: str) -> str:
        """The next id of ``sequence`` ("1", "2", ...), never reused."""
        rows = self._execute(
            "INSERT INTO sequences (name, last) VALUES (?, 1) "
            "ON CONFLICT(name) DO UPDATE SET last = last + 1 RETURNING last",
            (sequence,),
        )
        return str(rows[0][0])

    def get(self, collection: str, key: str) -> Doc | None:
        """The document, or None."""
        rows = self._execute("SELECT body FROM documents WHERE collection = ? AND key = ?", (collection, key))
        return json.loads(rows[0][0]) if rows else None

    def put(self, collection: str, key: str, doc: Doc) -> None:
        """Insert or replace the whole document."""
        self._execute(
            # An upsert, not INSERT OR REPLACE: a replaced row gets a new rowid, which would
            # move the document to the end of its collection's insertion order.
            "INSERT INTO documents (collection, key, body) VALUES (?, ?, ?) "
            "ON CONFLICT (collection, key) DO UPDATE SET body = excluded.body",
            (collection, key, json.dumps(doc, sort_keys=True)),
        )

    def add(self, collection: str, key: str, doc: Doc) -> bool:
        """Insert unless the key exists; False means it was already there."""
        with self._connection() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO documents (collection, key, body) VALUES (?, ?, ?)",
                (collection, key, json.dumps(doc, sort_keys=True)),
            )
            return cur.rowcount == 1

    def find(self, collection: str, path: str, value: Any) -> list[tuple[str, Doc]]:
        """Documents whose field at JSON ``path`` (e.g. ``$.billing.customer``) equals ``value``."""
        rows = self._execute(
            "SELECT key, body FROM documents WHERE collection = ? AND json_extract(body, ?) = ? ORDER BY rowid",
            (collection, path, value),
        )
        return [(key, json.loads(body)) for key, body in rows]

    def all(self, collection: str) -> list[tuple[str, Doc]]:
        """Every document of ``collection`` in insertion order."""
        rows = self._execute("SELECT key, body FROM documents WHERE collection = ? ORDER BY rowid", (collection,))
        return [(key, json.loads(body)) for key, body in rows]

    def keys(self, collection: str) -> list[str]:
        """The keys of ``collection``, sorted."""
        return [key for (key,) in self._execute(
            "SELECT key FROM documents WHERE collection = ? ORDER BY key", (collection,)
        )]

    def close(self) -> None:
        """Close every connection the pool opened (call once no request is running)."""
        with self._lock:
            opened, self._opened, self._idle = self._opened, [], []
        for db in opened:
            db.close()
