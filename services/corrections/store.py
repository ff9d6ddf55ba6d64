"""Corrections tables: every region's minimised profiles, the full record only at the home region, travels,
transfers and violations (details only at the home region)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import Any, cast

from services.corrections.domain import Movement
from services.corrections.rows import SubjectRow, TransferRow, TravelRow, ViolationRow
from shared.adapters import records
from shared.adapters.records import to_db
from shared.adapters.store import Migration

MIGRATIONS: list[Migration] = [
    (
        "corrections-001",
        """
        CREATE TABLE subjects (
            id TEXT PRIMARY KEY,
            home_region TEXT,
            name_masked TEXT,
            id_masked TEXT,
            id_hash TEXT,
            correction_type TEXT,
            start_date TEXT,
            end_date TEXT,
            risk_level TEXT,
            status TEXT NOT NULL,
            version INTEGER NOT NULL,
            enrolled_at TEXT,
            report_in_due TEXT,
            overdue_flagged INTEGER NOT NULL DEFAULT 0,
            released_at TEXT
        );
        CREATE INDEX subjects_by_hash ON subjects(id_hash);
        CREATE INDEX subjects_by_enrolled ON subjects(enrolled_at DESC, id DESC);
        CREATE TABLE subject_details (
            subject_id TEXT PRIMARY KEY REFERENCES subjects(id),
            record TEXT NOT NULL
        );
        CREATE TABLE travels (
            id TEXT PRIMARY KEY,
            subject_id TEXT NOT NULL,
            destination TEXT,
            from_date TEXT,
            to_date TEXT,
            status TEXT NOT NULL,
            approved_at TEXT,
            checked_in_at TEXT,
            returned_at TEXT
        );
        CREATE INDEX travels_by_subject ON travels(subject_id);
        CREATE TABLE transfers (
            id TEXT PRIMARY KEY,
            subject_id TEXT NOT NULL,
            from_region TEXT,
            destination TEXT,
            status TEXT NOT NULL,
            requested_at TEXT,
            decided_at TEXT,
            reason TEXT
        );
        CREATE INDEX transfers_by_subject ON transfers(subject_id);
        CREATE TABLE violations (
            id TEXT PRIMARY KEY,
            subject_id TEXT NOT NULL,
            region TEXT NOT NULL,
            kind TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            place TEXT NOT NULL,
            details TEXT
        );
        CREATE INDEX violations_by_subject ON violations(subject_id, occurred_at)
        """,
    ),
    (
        "corrections-travel-cancel-overdue",
        """
        ALTER TABLE travels ADD COLUMN cancelled_at TEXT;
        ALTER TABLE travels ADD COLUMN reason TEXT;
        ALTER TABLE travels ADD COLUMN overdue_flagged INTEGER NOT NULL DEFAULT 0
        """,
    ),
    # What /metrics counts at every scrape, read from indexes instead of every row of the tables.
    (
        "corrections-counted",
        """
        CREATE INDEX subjects_counted ON subjects(home_region, status, correction_type, overdue_flagged);
        CREATE INDEX travels_out ON travels(status) WHERE status != 'returned';
        CREATE INDEX transfers_pending ON transfers(status) WHERE status = 'pending';
        CREATE INDEX violations_by_kind ON violations(kind)
        """,
    ),
    # Each list filter answered from an index in the list's order (newest enrolled first), so a page reads
    # a page of rows whatever the store holds (tests/flows/test_query_plans.py).
    (
        "corrections-lists",
        """
        CREATE INDEX subjects_by_status ON subjects(status, enrolled_at DESC, id DESC);
        CREATE INDEX subjects_by_type ON subjects(correction_type, enrolled_at DESC, id DESC);
        CREATE INDEX subjects_by_home ON subjects(home_region, enrolled_at DESC, id DESC);
        CREATE INDEX subjects_home_status ON subjects(home_region, status, enrolled_at DESC, id DESC);
        CREATE INDEX subjects_by_risk ON subjects(risk_level, enrolled_at DESC, id DESC)
        """,
    ),
    # What arrives at a region's corrections office: trips by their first day, transfers oldest request
    # first, each filter (destination, status, both) from an index in the list's order.
    (
        "corrections-arrivals",
        """
        CREATE INDEX travels_by_start ON travels(from_date, id);
        CREATE INDEX travels_by_destination ON travels(destination, from_date, id);
        CREATE INDEX travels_by_status ON travels(status, from_date, id);
        CREATE INDEX travels_arriving ON travels(destination, status, from_date, id);
        CREATE INDEX transfers_by_requested ON transfers(requested_at, id);
        CREATE INDEX transfers_by_destination ON transfers(destination, requested_at, id);
        CREATE INDEX transfers_by_status ON transfers(status, requested_at, id);
        CREATE INDEX transfers_arriving ON transfers(destination, status, requested_at, id)
        """,
    ),
]


def get(conn: sqlite3.Connection, subject_id: str) -> SubjectRow | None:
    row = conn.execute("SELECT * FROM subjects WHERE id = ?", (subject_id,)).fetchone()
    return _subject(row) if row else None


def _subject(row: sqlite3.Row) -> SubjectRow:
    item = records.as_dict(row)
    item["overdue_flagged"] = bool(item["overdue_flagged"])
    return cast(SubjectRow, item)


def active_by_hash(conn: sqlite3.Connection, id_hash: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT id, home_region FROM subjects WHERE id_hash = ? AND status != 'released' ORDER BY enrolled_at DESC",
        (id_hash,),
    ).fetchone()
    return records.as_dict(row) if row else None


def save_details(conn: sqlite3.Connection, subject_id: str, record: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO subject_details(subject_id, record) VALUES (?, ?) "
        "ON CONFLICT(subject_id) DO UPDATE SET record = excluded.record",
        (subject_id, to_db(record)),
    )


def details(conn: sqlite3.Connection, subject_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT record FROM subject_details WHERE subject_id = ?", (subject_id,)).fetchone()
    return records.decode_json_columns(row, ("record",))["record"] if row else None


def drop_details(conn: sqlite3.Connection, subject_id: str) -> None:
    """Forget the subject's full record held here: its details and its violations' details."""
    conn.execute("DELETE FROM subject_details WHERE subject_id = ?", (subject_id,))
    conn.execute("UPDATE violations SET details = NULL WHERE subject_id = ?", (subject_id,))


def upsert(conn: sqlite3.Connection, table: str, values: dict[str, Any], keep: tuple[str, ...] = ()) -> None:
    records.merge(conn, table, values, keep)


def travels(conn: sqlite3.Connection, subject_id: str) -> list[TravelRow]:
    return [
        _travel(r) for r in conn.execute("SELECT * FROM travels WHERE subject_id = ? ORDER BY from_date", (subject_id,))
    ]


def get_travel(conn: sqlite3.Connection, travel_id: str) -> TravelRow | None:
    row = conn.execute("SELECT * FROM travels WHERE id = ?", (travel_id,)).fetchone()
    return _travel(row) if row else None


def _travel(row: sqlite3.Row) -> TravelRow:
    item = records.as_dict(row)
    item["overdue_flagged"] = bool(item["overdue_flagged"])
    return cast(TravelRow, item)


def transfers(conn: sqlite3.Connection, subject_id: str) -> list[TransferRow]:
    return [
        _transfer(r)
        for r in conn.execute("SELECT * FROM transfers WHERE subject_id = ? ORDER BY requested_at", (subject_id,))
    ]


def get_transfer(conn: sqlite3.Connection, transfer_id: str) -> TransferRow | None:
    row = conn.execute("SELECT * FROM transfers WHERE id = ?", (transfer_id,)).fetchone()
    return _transfer(row) if row else None


def _transfer(row: sqlite3.Row) -> TransferRow:
    return cast(TransferRow, records.as_dict(row))


def movements(conn: sqlite3.Connection, subject_id: str) -> list[Movement]:
    found = [
        Movement("travel", t["destination"], t["status"], _date(t["to_date"]), _date(t["from_date"]))
        for t in travels(conn, subject_id)
    ]
    return found + [Movement("transfer", t["destination"], t["status"]) for t in transfers(conn, subject_id)]


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def released_before(conn: sqlite3.Connection, home: str, cutoff: datetime) -> list[dict[str, Any]]:
    """This region's released subjects, released before `cutoff`, not yet purged."""
    rows = conn.execute(
        "SELECT id, version, released_at FROM subjects WHERE home_region = ? AND status = 'released' "
        "AND id_hash IS NOT NULL AND released_at < ?",
        (home, to_db(cutoff)),
    )
    return [records.as_dict(r) for r in rows]


def travels_overdue(conn: sqlite3.Connection, home: str, today: date) -> list[dict[str, Any]]:
    """Trips of this region's travelling subjects past their last day, not yet flagged."""
    rows = conn.execute(
        "SELECT t.id AS travel_id, t.status, t.to_date, s.id AS subject_id FROM travels t "
        "JOIN subjects s ON s.id = t.subject_id WHERE s.home_region = ? AND s.status = 'travelling' "
        "AND t.status IN ('approved', 'checked_in') AND t.overdue_flagged = 0 AND t.to_date < ?",
        (home, today.isoformat()),
    )
    return [records.as_dict(r) for r in rows]


def flag_travel_overdue(conn: sqlite3.Connection, travel_id: str) -> None:
    conn.execute("UPDATE travels SET overdue_flagged = 1 WHERE id = ?", (travel_id,))


def travels_starting(conn: sqlite3.Connection, home: str, today: date) -> list[dict[str, Any]]:
    """Approved trips of this region's subjects whose first day has come."""
    rows = conn.execute(
        "SELECT t.id AS travel_id, s.id AS subject_id, s.version FROM travels t JOIN subjects s ON s.id = t.subject_id "
        "WHERE s.home_region = ? AND s.status = 'travel_approved' AND t.status = 'approved' AND t.from_date <= ?",
        (home, today.isoformat()),
    )
    return [records.as_dict(r) for r in rows]


def violations(conn: sqlite3.Connection, subject_id: str) -> list[ViolationRow]:
    rows = conn.execute("SELECT * FROM violations WHERE subject_id = ? ORDER BY occurred_at", (subject_id,))
    return [cast(ViolationRow, records.as_dict(r)) for r in rows]


def report_ins_overdue(conn: sqlite3.Connection, home: str, now: datetime) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, report_in_due FROM subjects WHERE home_region = ? AND status = 'enrolled' "
        "AND overdue_flagged = 0 AND report_in_due < ?",
        (home, to_db(now)),
    ).fetchall()


def search(conn: sqlite3.Connection, f: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    conditions = [
        ("status = ?", f.get("status")),
        ("correction_type = ?", f.get("correction_type")),
        ("home_region = ?", f.get("home_region")),
        ("risk_level = ?", f.get("risk_level")),
    ]
    return records.search(conn, "subjects", conditions, "enrolled_at", limit, cursor, _subject)


# A movement as a list shows it, with its subject's home region (what the policy decides a read by).
_HOME = "(SELECT home_region FROM subjects WHERE subjects.id = subject_id) AS home_region"


def search_movements(
    conn: sqlite3.Connection, table: str, f: dict[str, Any], limit: int, cursor: str | None
) -> dict[str, Any]:
    """Trips (`travels`, by first day) or transfers (oldest request first) by destination and status."""
    order = "from_date" if table == "travels" else "requested_at"
    conditions = [("destination = ?", f.get("destination")), ("status = ?", f.get("status"))]
    decode = _travel if table == "travels" else records.as_dict
    return records.search(conn, table, conditions, order, limit, cursor, decode, f"*, {_HOME}", ascending=True)


def gauges(conn: sqlite3.Connection, region: str) -> dict[str, Any]:
    """What the corrections gauges show, counted in one read."""
    return {
        "subjects": conn.execute(
            "SELECT home_region, status, correction_type, count(*) n FROM subjects WHERE home_region IS NOT NULL "
            "GROUP BY 1, 2, 3"
        ).fetchall(),
        "travelling": conn.execute("SELECT count(*) FROM travels WHERE status != 'returned'").fetchone()[0],
        "transfers_pending": conn.execute("SELECT count(*) FROM transfers WHERE status = 'pending'").fetchone()[0],
        "report_ins_overdue": conn.execute(
            "SELECT count(*) FROM subjects WHERE home_region = ? AND overdue_flagged = 1 AND status = 'enrolled'",
            (region,),
        ).fetchone()[0],
        "violations": conn.execute("SELECT kind, count(*) n FROM violations GROUP BY kind").fetchall(),
    }
