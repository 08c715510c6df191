"""The integration's SQLite database: one file, one schema, short transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    verified INTEGER NOT NULL DEFAULT 0,
    verification_token TEXT,
    created_at REAL NOT NULL,
    stripe_customer_id TEXT,
    billing_state TEXT NOT NULL DEFAULT 'none',
    billing_error TEXT,
    billing_attempts INTEGER NOT NULL DEFAULT 0,
    customer_generation INTEGER NOT NULL DEFAULT 0,
    customer_checked_at REAL,
    default_payment_method TEXT
);
CREATE TABLE IF NOT EXISTS invoices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    stripe_invoice_id TEXT,
    status TEXT NOT NULL,
    total INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 8,
    run_after REAL NOT NULL,
    lease_until REAL,
    last_error TEXT
);
-- The tables keyed by a Stripe id are WITHOUT ROWID: the key is the table, so claiming an
-- event writes one b-tree page instead of a row and an index entry (a webhook storm is
-- ~17,000 such transactions a matrix cell).
CREATE TABLE IF NOT EXISTS processed_events (
    event_id TEXT PRIMARY KEY NOT NULL,  -- SQLite lets a TEXT key be NULL, and NULLs never collide
    type TEXT NOT NULL,
    processed_at REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS webhook_objects (
    object_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    customer_id TEXT,
    state TEXT NOT NULL,
    terminal INTEGER NOT NULL,
    event_created INTEGER NOT NULL,
    event_rank INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS invoice_payment_failures (
    stripe_invoice_id TEXT PRIMARY KEY,
    failures INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stripe_connectivity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_success_at REAL,
    last_error_at REAL,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    down_since REAL,
    last_recovered_at REAL,
    last_outage_seconds REAL,
    outages INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO stripe_connectivity (id) VALUES (1);
"""


def connect(path: Path) -> sqlite3.Connection:
    """Open (and create) the database; autocommit mode so transactions are explicit."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=30000")
    # WAL + NORMAL: a commit survives a crash of the process (the worker killed mid-job,
    # the webhook endpoint restarted); only an OS crash or power loss can drop the last
    # commits, the trade SQLite recommends for WAL. FULL made every webhook cost an fsync.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    return conn
