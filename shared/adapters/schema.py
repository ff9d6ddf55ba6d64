"""The tables every instance's store has, whatever its service: the outbox, processed event ids,
idempotency keys, the audit chain and its index, and the timeline of each record. Each service adds its
own (services/<name>/store.py); `Store.migrate` applies both, each migration once, by name. Beside them,
the few operations on the shared tables that no one adapter owns."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta

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
        # `rowid` named: SQLite's own (an alias), and on PostgreSQL an identity column, so a record's events
        # at the same instant are listed as they were stored on both.
        "shared-003-timeline",
        """
        CREATE TABLE timeline (
            rowid INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL UNIQUE,
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
    (
        # Up to where the audit chain has been staged for its topic (in segments, by the write batch that
        # appended the entries); entries stored before this were staged one by one as they were written.
        "shared-005-audit-published",
        """
        CREATE TABLE audit_published (idx INTEGER NOT NULL);
        INSERT INTO audit_published(idx) SELECT coalesce(max(idx), 0) FROM audit_log;
        """,
    ),
    # The audit search by time (`since`, `until`), alone or with an actor: the window's entries, not the chain.
    (
        "shared-006-audit-by-time",
        """
        CREATE INDEX audit_by_time ON audit_index(at);
        CREATE INDEX audit_actor_time ON audit_index(actor, at)
        """,
    ),
    # A day's events by writing region and type (`GET /v1/daily`: the daily digest's exact counts).
    (
        "shared-007-timeline-by-day",
        """
        CREATE INDEX timeline_by_day ON timeline(at, region, type)
        """,
    ),
    # Which owner's version last set each field of a versioned record (records.apply_versioned): an older
    # change arriving late may still override what an even older one set, never what a newer one did.
    (
        "shared-008-field-versions",
        """
        CREATE TABLE field_versions (
            record_table TEXT NOT NULL,
            record_id TEXT NOT NULL,
            versions TEXT NOT NULL,
            PRIMARY KEY (record_table, record_id)
        ) WITHOUT ROWID
        """,
    ),
]


def statements(script: str) -> Iterator[str]:
    """A migration's statements, one by one: split at semicolons, except inside a trigger's body (SQLite
    says when the text so far is a complete statement)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                yield pending
            pending = ""
    if pending.strip(" \n\t;"):
        yield pending


def prune(conn: sqlite3.Connection, now: datetime, sent_outbox_days: int = 7, idempotency_hours: int = 24) -> int:
    """Housekeeping: forget outbox rows the broker confirmed long ago and expired idempotency keys.
    Processed-event ids are kept: they must outlive the topics' retention for redelivery to stay harmless."""
    stamp = "%Y-%m-%dT%H:%M:%S.000Z"
    sent_before = (now - timedelta(days=sent_outbox_days)).strftime(stamp)
    keys_before = (now - timedelta(hours=idempotency_hours)).strftime(stamp)
    removed = conn.execute("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?", (sent_before,)).rowcount
    return removed + conn.execute("DELETE FROM idempotency_keys WHERE created_at < ?", (keys_before,)).rowcount


def processed(conn: sqlite3.Connection, event_id: str) -> bool:
    """Whether this store has applied the event already (its own events count from when they are written)."""
    return conn.execute("SELECT 1 FROM processed_events WHERE event_id = ?", (event_id,)).fetchone() is not None


def mark_processed(conn: sqlite3.Connection, event_id: str) -> None:
    conn.execute("INSERT INTO processed_events(event_id) VALUES (?) ON CONFLICT DO NOTHING", (event_id,))
