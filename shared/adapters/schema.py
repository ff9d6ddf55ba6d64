"""The tables every instance's store has, whatever its service: the outbox, processed event ids,
idempotency keys, the audit chain and its index, and the timeline of each record. Each service adds its
own (services/<name>/store.py); `Store.migrate` applies both, each migration once, by name."""

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
