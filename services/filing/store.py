"""Filing tables and queries. The read model holds every region's filings (parties masked); full party
detail is kept only by the receiving region, in filing_parties. Timelines live in the shared table."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime
from typing import Any, cast

from services.filing.ownership import FILING
from services.filing.rows import FilingRow, PartyRow
from services.filing.views import Filing, Party
from shared.adapters import records
from shared.adapters.records import to_db
from shared.adapters.store import Migration
from shared.contracts.regions import REGIONS, Region

# What a filing shows: the `Filing` view's fields, in its order (a list reads them as one stored JSON object,
# `listed`). A change to the view needs a migration that drops and recreates the listed_view triggers.
_SHOWN = tuple(Filing.model_fields)
_JSON_COLUMNS = ("documents", "parties", "missing_items")
_FLAGS = ("overdue_flagged", "correction_lapsed")
_COLUMNS = ", ".join(_SHOWN)
_PARTY_COLUMNS = ", ".join(Party.model_fields)  # a party in full, as the holder shows it
# A listed row: its keys (the page's order), what its read is decided by, and the stored JSON.
_LIST_COLUMNS = ", ".join(dict.fromkeys(("id", "submitted_at", *FILING.decision_fields, "listed")))

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
            documents TEXT,
            parties TEXT,
            filed_by TEXT,
            submitted_at TEXT,
            received_at TEXT,
            decision_due TEXT,
            decided_at TEXT,
            docket_number TEXT,
            reason TEXT,
            missing_items TEXT,
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
        CREATE TABLE docket_sequences (
            court_code TEXT NOT NULL,
            case_type TEXT NOT NULL,
            year INTEGER NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (court_code, case_type, year)
        )
        """,
    ),
    ("filing-002-agency", "ALTER TABLE filings ADD COLUMN agency TEXT"),
    (
        "filing-003-finding",
        """
        CREATE TABLE filing_party_hashes (
            id_hash TEXT NOT NULL,
            filing_id TEXT NOT NULL,
            PRIMARY KEY (id_hash, filing_id)
        ) WITHOUT ROWID;
        CREATE INDEX filings_by_docket ON filings(docket_number) WHERE docket_number IS NOT NULL;
        CREATE INDEX filings_by_decision ON filings(decided_at) WHERE decided_at IS NOT NULL;
        ALTER TABLE filings ADD COLUMN correction_lapsed INTEGER NOT NULL DEFAULT 0;
        -- The receiving window's own: the keyed hash of the code a party was given at submission.
        CREATE TABLE filing_codes (filing_id TEXT PRIMARY KEY, code_hash TEXT NOT NULL) WITHOUT ROWID
        """,
    ),
    ("filing-004-listed", records.listed_view("filings", _SHOWN, _JSON_COLUMNS, _FLAGS)),
    # What /metrics counts at every scrape, read from an index of its own instead of every filing's row
    # (100,000 filings: ~210 ms a scrape before, ~12 ms with it).
    (
        "filing-005-counted",
        "CREATE INDEX filings_counted ON filings(status, court_region, receiving_region, case_type)",
    ),
    # Each list filter answered from an index in the list's order (newest first), so a page reads a page of
    # rows whatever the store holds (tests/flows/test_query_plans.py): the court's queue by status, and
    # the rare `overdue` flag from partial indexes of the flagged rows only. The scanner's and the gauges'
    # `court_region = ? AND status IN (...)` reads the queue's index (filings_due had no other use).
    (
        "filing-006-lists",
        """
        CREATE INDEX filings_by_status ON filings(status, submitted_at DESC, id DESC);
        CREATE INDEX filings_by_court ON filings(court_region, submitted_at DESC, id DESC);
        CREATE INDEX filings_court_queue ON filings(court_region, status, submitted_at DESC, id DESC);
        CREATE INDEX filings_by_receiving ON filings(receiving_region, submitted_at DESC, id DESC);
        CREATE INDEX filings_by_case_type ON filings(case_type, submitted_at DESC, id DESC);
        CREATE INDEX filings_overdue ON filings(submitted_at DESC, id DESC) WHERE overdue_flagged = 1;
        CREATE INDEX filings_overdue_by_court ON filings(court_region, submitted_at DESC, id DESC)
            WHERE overdue_flagged = 1;
        DROP INDEX filings_due
        """,
    ),
    # A court's queue by deadline (`order=due`): soonest decision due first, a page read in the index's order.
    ("filing-007-due-queue", "CREATE INDEX filings_court_due ON filings(court_region, status, decision_due, id)"),
]


def add_parties(conn: sqlite3.Connection, filing_id: str, parties: list[PartyRow]) -> None:
    conn.executemany(
        "INSERT INTO filing_parties(filing_id, position, role, kind, name, identifier) VALUES (?,?,?,?,?,?)",
        [(filing_id, i, p["role"], p["kind"], p["name"], p["identifier"]) for i, p in enumerate(parties)],
    )


def parties(conn: sqlite3.Connection, filing_id: str) -> list[PartyRow]:
    rows = conn.execute(
        f"SELECT {_PARTY_COLUMNS} FROM filing_parties WHERE filing_id = ? ORDER BY position", (filing_id,)
    )
    return [cast(PartyRow, records.as_dict(r)) for r in rows]


def upsert_details(conn: sqlite3.Connection, details: dict[str, Any]) -> None:
    """The facts of a filing from its `submitted` event: never moves the state backwards, nor overrides
    what a later version changed (resubmitted documents)."""
    records.create_versioned(conn, "filings", details)


def apply_state(conn: sqlite3.Connection, filing_id: str, version: int, status: str, **fields: Any) -> bool:
    return records.apply_versioned(conn, "filings", filing_id, version, status=status, **fields)


def add_code(conn: sqlite3.Connection, filing_id: str, code_hash: str) -> None:
    conn.execute("INSERT INTO filing_codes(filing_id, code_hash) VALUES (?, ?)", (filing_id, code_hash))


def by_code(conn: sqlite3.Connection, filing_id: str, code_hash: str) -> FilingRow | None:
    """The filing, if this is its code (held only by the window that received it)."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM filings f JOIN filing_codes c ON c.filing_id = f.id "
        "WHERE f.id = ? AND c.code_hash = ?",
        (filing_id, code_hash),
    ).fetchone()
    return _row(row) if row else None


def add_party_hashes(conn: sqlite3.Connection, filing_id: str, hashes: list[str]) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO filing_party_hashes(id_hash, filing_id) VALUES (?, ?)", [(h, filing_id) for h in hashes]
    )


def search(conn: sqlite3.Connection, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    """Newest first, or with `order` "due" soonest decision deadline first (a court's queue: court_region and
    status given). `party_hash`: the keyed hash of a party's ID number (the number itself is never here)."""
    decided_to = filters.get("decided_to")
    conditions = [
        ("docket_number = ?", filters.get("docket_number")),
        ("id IN (SELECT filing_id FROM filing_party_hashes WHERE id_hash = ?)", filters.get("party_hash")),
        ("overdue_flagged = ?", 1 if filters.get("overdue") else None),
        ("decided_at >= ?", filters.get("decided_from")),
        ("decided_at < ?", filters.get("decided_to")),
        ("status = ?", filters.get("status")),
        ("court_region = ?", filters.get("court_region")),
        ("receiving_region = ?", filters.get("receiving_region")),
        ("case_type = ?", filters.get("case_type")),
        ("submitted_at >= ?", filters.get("submitted_from")),
        ("submitted_at < ?", filters.get("submitted_to")),
        # A filing is decided after it was submitted: those decided before T were submitted before T, so the
        # walk in order starts there (and finds a page at once: nearly every filing that old is decided).
        ("submitted_at < ?", decided_to if filters.get("decided_from") is None else None),
    ]
    table = "filings"
    if filters.get("decided_from") and not (filters.get("docket_number") or filters.get("party_hash")):
        # The decisions since a time: read from the decisions' index and sorted (the window's rows, not
        # every filing newer than them, which the walk in order would read to find a few).
        table = "filings INDEXED BY filings_by_decision"
    if filters.get("order") == "due":
        columns = f"{_LIST_COLUMNS}, decision_due"
        return records.search(conn, table, conditions, "decision_due", limit, cursor, records.as_dict, columns, True)
    return records.search(conn, table, conditions, "submitted_at", limit, cursor, records.as_dict, _LIST_COLUMNS)


def get(conn: sqlite3.Connection, filing_id: str) -> FilingRow | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM filings WHERE id = ?", (filing_id,)).fetchone()
    return _row(row) if row else None


def next_docket_sequence(conn: sqlite3.Connection, court_code: str, case_type: str, year: int) -> int:
    """Gapless: the increment commits or rolls back with the acceptance that uses it (BEGIN IMMEDIATE)."""
    row = conn.execute(
        "INSERT INTO docket_sequences(court_code, case_type, year, last) VALUES (?, ?, ?, 1) "
        "ON CONFLICT(court_code, case_type, year) DO UPDATE SET last = last + 1 RETURNING last",
        (court_code, case_type, year),
    ).fetchone()
    return row[0]


def due_for_overdue(conn: sqlite3.Connection, court_region: str, now: datetime) -> list[FilingRow]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM filings WHERE court_region = ? AND status IN ('received', 'resubmitted') "
        "AND overdue_flagged = 0 AND decision_due < ?",
        (court_region, to_db(now)),
    )
    return [_row(r) for r in rows]


def mark_overdue(conn: sqlite3.Connection, filing_id: str) -> None:
    conn.execute("UPDATE filings SET overdue_flagged = 1 WHERE id = ?", (filing_id,))


def due_for_lapse(conn: sqlite3.Connection, court_region: str, today: date) -> list[FilingRow]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM filings WHERE court_region = ? AND status = 'correction_requested' "
        "AND correction_lapsed = 0 AND correction_deadline < ?",
        (court_region, today.isoformat()),
    )
    return [_row(r) for r in rows]


def mark_lapsed(conn: sqlite3.Connection, filing_id: str) -> None:
    conn.execute("UPDATE filings SET correction_lapsed = 1 WHERE id = ?", (filing_id,))


def counts(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT status, court_region, receiving_region, case_type, count(*) AS n FROM filings "
        "WHERE court_region IS NOT NULL GROUP BY status, court_region, receiving_region, case_type"
    ).fetchall()


def overdue_count(conn: sqlite3.Connection, court_region: str, now: datetime) -> int:
    return conn.execute(
        "SELECT count(*) FROM filings WHERE court_region = ? AND status IN ('received','resubmitted') "
        "AND decision_due < ?",
        (court_region, to_db(now)),
    ).fetchone()[0]


def _row(row: sqlite3.Row) -> FilingRow:
    item = records.decode_json_columns(row, _JSON_COLUMNS)
    for flag in _FLAGS:
        item[flag] = bool(item[flag])
    return cast(FilingRow, item)


_DOCKET = re.compile(r"^\((?P<year>\d{4})\).+?(?P<seq>\d+)号$")


def restore_sequences(conn: sqlite3.Connection, region: str) -> int:
    """After a rebuild: each docket sequence continues from the highest number this court gave out, so
    no number is given twice. Answers how many sequences were set."""
    last: dict[tuple[str, str, int], int] = {}
    court_code = REGIONS[Region(region)].court_code
    rows = conn.execute(
        "SELECT case_type, docket_number FROM filings WHERE court_region = ? AND docket_number IS NOT NULL", (region,)
    )
    for case_type, number in rows:
        if match := _DOCKET.match(number):
            key = (court_code, case_type, int(match["year"]))
            last[key] = max(last.get(key, 0), int(match["seq"]))
    conn.executemany(
        "INSERT INTO docket_sequences(court_code, case_type, year, last) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(court_code, case_type, year) DO UPDATE SET last = max(last, excluded.last)",
        [(*key, value) for key, value in last.items()],
    )
    return len(last)
