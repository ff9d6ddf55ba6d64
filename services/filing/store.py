"""Filing tables and queries. The read model holds every region's filings (parties masked); full party
detail is kept only by the receiving region, in filing_parties."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import orjson

from shared.pagination import decode_cursor, page
from shared.store import Migration

MIGRATIONS: list[Migration] = [
    (
        "filing-001",
        """
        CREATE TABLE filings (
            id TEXT PRIMARY KEY,
            receiving_region TEXT,
            court_region TEXT,
            case_type TEXT,
            status TEXT NOT NULL,
            version INTEGER NOT NULL,
            claim_summary TEXT,
            claim_amount TEXT,
            documents BLOB,
            parties BLOB,
            filed_by TEXT,
            submitted_at TEXT,
            received_at TEXT,
            decision_due TEXT,
            decided_at TEXT,
            docket_number TEXT,
            reason TEXT,
            missing_items BLOB,
            correction_deadline TEXT,
            overdue_flagged INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX filings_by_submitted ON filings(submitted_at DESC, id DESC);
        CREATE INDEX filings_due ON filings(court_region, status, decision_due);
        CREATE TABLE filing_parties (
            filing_id TEXT NOT NULL REFERENCES filings(id),
            position INTEGER NOT NULL,
            role TEXT NOT NULL,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            identifier TEXT NOT NULL,
            PRIMARY KEY (filing_id, position)
        );
        CREATE TABLE filing_timeline (
            event_id TEXT PRIMARY KEY,
            filing_id TEXT NOT NULL,
            type TEXT NOT NULL,
            at TEXT NOT NULL,
            region TEXT NOT NULL,
            actor TEXT,
            detail BLOB NOT NULL
        );
        CREATE INDEX timeline_by_filing ON filing_timeline(filing_id, at);
        CREATE TABLE docket_sequences (
            court_code TEXT NOT NULL,
            case_type TEXT NOT NULL,
            year INTEGER NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (court_code, case_type, year)
        )
        """,
    ),
]

_JSON_COLUMNS = ("documents", "parties", "missing_items")


def _iso(value: Any) -> Any:
    """One stored form per type, so text comparisons of timestamps order correctly."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def upsert_details(conn: sqlite3.Connection, details: dict[str, Any]) -> None:
    """Static facts of a filing from its `submitted` event; never moves the state backwards."""
    values = {k: orjson.dumps(v) if k in _JSON_COLUMNS else _iso(v) for k, v in details.items()}
    columns = ", ".join(values)
    placeholders = ", ".join(f":{k}" for k in values)
    updates = ", ".join(f"{k} = excluded.{k}" for k in values if k not in ("id", "status", "version"))
    conn.execute(
        f"INSERT INTO filings({columns}) VALUES ({placeholders}) ON CONFLICT(id) DO UPDATE SET {updates}",
        values,
    )


def apply_state(conn: sqlite3.Connection, filing_id: str, version: int, status: str, **fields: Any) -> bool:
    """Apply an owner's state change if it is newer than what we hold; a stub row is made if the
    filing's details have not arrived yet. True if applied."""
    values = {k: orjson.dumps(v) if k in _JSON_COLUMNS else _iso(v) for k, v in fields.items()}
    values.update(id=filing_id, version=version, status=status)
    columns = ", ".join(values)
    placeholders = ", ".join(f":{k}" for k in values)
    updates = ", ".join(f"{k} = excluded.{k}" for k in values if k != "id")
    cursor = conn.execute(
        f"INSERT INTO filings({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT(id) DO UPDATE SET {updates} WHERE excluded.version > filings.version",
        values,
    )
    return cursor.rowcount > 0


def add_parties(conn: sqlite3.Connection, filing_id: str, parties: list[dict[str, str]]) -> None:
    conn.executemany(
        "INSERT INTO filing_parties(filing_id, position, role, kind, name, identifier) VALUES (?,?,?,?,?,?)",
        [(filing_id, i, p["role"], p["kind"], p["name"], p["identifier"]) for i, p in enumerate(parties)],
    )


def parties(conn: sqlite3.Connection, filing_id: str) -> list[dict[str, str]]:
    rows = conn.execute(
        "SELECT role, kind, name, identifier FROM filing_parties WHERE filing_id = ? ORDER BY position", (filing_id,)
    )
    return [dict(r) for r in rows]


def add_timeline(
    conn: sqlite3.Connection,
    event_id: str,
    filing_id: str,
    type_: str,
    at: datetime,
    region: str,
    actor: str | None,
    detail: dict[str, Any],
) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO filing_timeline(event_id, filing_id, type, at, region, actor, detail) "
        "VALUES (?,?,?,?,?,?,?)",
        (event_id, filing_id, type_, _iso(at), region, actor, orjson.dumps(detail, default=str)),
    )


def get(conn: sqlite3.Connection, filing_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM filings WHERE id = ?", (filing_id,)).fetchone()
    return _row(row) if row else None


def timeline(conn: sqlite3.Connection, filing_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT event_id, type, at, region, actor, detail FROM filing_timeline WHERE filing_id = ? ORDER BY at, rowid",
        (filing_id,),
    )
    return [{**dict(r), "detail": orjson.loads(r["detail"])} for r in rows]


def next_docket_sequence(conn: sqlite3.Connection, court_code: str, case_type: str, year: int) -> int:
    """Gapless: the increment commits or rolls back with the acceptance that uses it (BEGIN IMMEDIATE)."""
    row = conn.execute(
        "INSERT INTO docket_sequences(court_code, case_type, year, last) VALUES (?, ?, ?, 1) "
        "ON CONFLICT(court_code, case_type, year) DO UPDATE SET last = last + 1 RETURNING last",
        (court_code, case_type, year),
    ).fetchone()
    return row[0]


FILTERS = {
    "status": "status = ?",
    "court_region": "court_region = ?",
    "receiving_region": "receiving_region = ?",
    "case_type": "case_type = ?",
    "submitted_from": "submitted_at >= ?",
    "submitted_to": "submitted_at < ?",
}


def search(conn: sqlite3.Connection, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    clauses, args = ["submitted_at IS NOT NULL"], []
    for name, value in filters.items():
        if value is not None:
            clauses.append(FILTERS[name])
            args.append(_iso(value))
    if cursor:
        clauses.append("(submitted_at, id) < (?, ?)")
        args.extend(decode_cursor(cursor, 2))
    rows = conn.execute(
        f"SELECT * FROM filings WHERE {' AND '.join(clauses)} ORDER BY submitted_at DESC, id DESC LIMIT ?",
        (*args, limit + 1),
    ).fetchall()
    return page([_row(r) for r in rows], limit, lambda item: (item["submitted_at"], item["id"]))


def due_for_overdue(conn: sqlite3.Connection, court_region: str, now: datetime) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT * FROM filings WHERE court_region = ? AND status IN ('received', 'resubmitted') "
        "AND overdue_flagged = 0 AND decision_due < ?",
        (court_region, _iso(now)),
    )
    return [_row(r) for r in rows]


def mark_overdue(conn: sqlite3.Connection, filing_id: str) -> None:
    conn.execute("UPDATE filings SET overdue_flagged = 1 WHERE id = ?", (filing_id,))


def counts(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT status, court_region, receiving_region, count(*) AS n FROM filings "
        "WHERE court_region IS NOT NULL GROUP BY status, court_region, receiving_region"
    ).fetchall()


def overdue_count(conn: sqlite3.Connection, court_region: str, now: datetime) -> int:
    return conn.execute(
        "SELECT count(*) FROM filings WHERE court_region = ? AND status IN ('received','resubmitted') "
        "AND decision_due < ?",
        (court_region, _iso(now)),
    ).fetchone()[0]


def _row(row: sqlite3.Row) -> dict[str, Any]:
    item = dict(row)
    for column in _JSON_COLUMNS:
        if item.get(column) is not None:
            item[column] = orjson.loads(item[column])
    item["overdue_flagged"] = bool(item["overdue_flagged"])
    return item
