"""Per-instance store: SQLite in WAL mode behind a narrow boundary (connect, transaction, migrate).

Every write is one `transaction()`: BEGIN IMMEDIATE takes the write lock up front, so read-then-write
sequences (next docket number, idempotency check, audit chain head) are serialised without retry loops.
Only this module and the per-service store modules speak SQL; a PostgreSQL Store would replace them.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

Migration = tuple[str, str]  # (unique name, SQL script)

SHARED_MIGRATIONS: list[Migration] = [
    (
        "shared-001-outbox",
        """
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT NOT NULL UNIQUE,
            topic TEXT NOT NULL,
            key BLOB NOT NULL,
            value BLOB NOT NULL,
            headers BLOB NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            sent_at TEXT
        );
        CREATE INDEX outbox_unsent ON outbox(seq) WHERE sent_at IS NULL;
        CREATE TABLE processed_events (
            event_id TEXT PRIMARY KEY,
            processed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
        );
        CREATE TABLE idempotency_keys (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            status INTEGER NOT NULL,
            body BLOB NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            PRIMARY KEY (scope, key)
        );
        """,
    ),
    (
        "shared-002-audit",
        """
        CREATE TABLE audit_log (
            idx INTEGER PRIMARY KEY,
            entry BLOB NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TABLE audit_index (
            idx INTEGER PRIMARY KEY REFERENCES audit_log(idx),
            actor TEXT NOT NULL,
            record TEXT,
            action TEXT NOT NULL,
            decision TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX audit_by_record ON audit_index(record, idx);
        CREATE INDEX audit_by_actor ON audit_index(actor, idx);
        """,
    ),
    (
        "shared-003-timeline",
        """
        CREATE TABLE timeline (
            event_id TEXT PRIMARY KEY,
            record_id TEXT NOT NULL,
            type TEXT NOT NULL,
            at TEXT NOT NULL,
            region TEXT NOT NULL,
            actor TEXT,
            detail BLOB NOT NULL
        );
        CREATE INDEX timeline_by_record ON timeline(record_id, at);
        """,
    ),
    (
        "shared-004-housekeeping",
        """
        CREATE INDEX outbox_sent ON outbox(sent_at) WHERE sent_at IS NOT NULL;
        CREATE INDEX idempotency_by_age ON idempotency_keys(created_at);
        """,
    ),
]


def prune(conn: sqlite3.Connection, now: datetime, sent_outbox_days: int = 7, idempotency_hours: int = 24) -> int:
    """Housekeeping: forget outbox rows the broker confirmed long ago and expired idempotency keys.
    Processed-event ids are kept: they must outlive the topics' retention for redelivery to stay harmless."""
    stamp = "%Y-%m-%dT%H:%M:%S.000Z"
    sent_before = (now - timedelta(days=sent_outbox_days)).strftime(stamp)
    keys_before = (now - timedelta(hours=idempotency_hours)).strftime(stamp)
    removed = conn.execute("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?", (sent_before,)).rowcount
    return removed + conn.execute("DELETE FROM idempotency_keys WHERE created_at < ?", (keys_before,)).rowcount


class Store:
    def __init__(self, path: Path | str, migrations: Sequence[Migration] = ()) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.migrate([*SHARED_MIGRATIONS, *migrations])

    def connect(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections must not cross threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=True)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def writable(self, min_free_bytes: int = 64 * 1024 * 1024) -> bool:
        """Readiness: the write lock can be had and the disk has room for the store to grow."""
        try:
            if self.path != ":memory:" and shutil.disk_usage(Path(self.path).parent).free < min_free_bytes:
                return False
            conn = self.connect()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return True
        except (sqlite3.Error, OSError):
            return False

    def ping(self) -> bool:
        try:
            self.connect().execute("SELECT 1").fetchone()
            return True
        except sqlite3.Error:
            return False

    def migrate(self, migrations: Sequence[Migration]) -> None:
        with self.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)")
            done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            for name, script in migrations:
                if name in done:
                    continue
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations(name) VALUES (?)", (name,))

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
