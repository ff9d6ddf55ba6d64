"""Procuratorate tables: referrals, assistance requests and joint cases as every region knows them (their
texts by hash; each text only at the region that wrote it), the regions party to each, materials (content
only at their holder), the receipts of every delivery, and the
case-number sequence of this office."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any, cast

import orjson

from services.procuratorate.domain import OFFICE_ABBR, parse_case_number
from services.procuratorate.rows import (
    AssistanceRow,
    FindingRow,
    JointCaseRow,
    MaterialContentRow,
    MaterialRow,
    ReferralRow,
    SignedReceipt,
    StepRow,
)
from services.procuratorate.views import HeldText, Receipt
from shared.adapters import records
from shared.adapters.records import to_db
from shared.adapters.store import Migration
from shared.contracts.regions import Region

MIGRATIONS: list[Migration] = [
    (
        "procuratorate-001",
        """
        CREATE TABLE referrals (
            id TEXT PRIMARY KEY,
            from_region TEXT,
            to_region TEXT,
            title TEXT,
            summary TEXT,
            offence TEXT,
            referred_at TEXT,
            due_at TEXT,
            content_sha256 TEXT,
            status TEXT NOT NULL DEFAULT 'referred',
            case_number TEXT,
            reasons TEXT,
            decided_at TEXT,
            overdue_flagged INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX referrals_by_time ON referrals(referred_at DESC, id DESC);
        CREATE INDEX referrals_by_from ON referrals(from_region, referred_at DESC, id DESC);
        CREATE INDEX referrals_by_to ON referrals(to_region, referred_at DESC, id DESC);
        CREATE INDEX referrals_by_status ON referrals(status, referred_at DESC, id DESC);
        CREATE INDEX referrals_from_status ON referrals(from_region, status, referred_at DESC, id DESC);
        CREATE INDEX referrals_to_status ON referrals(to_region, status, referred_at DESC, id DESC);
        CREATE INDEX referrals_pending ON referrals(from_region, due_at) WHERE status = 'referred';
        CREATE TABLE assistance (
            id TEXT PRIMARY KEY,
            requesting_region TEXT,
            asked_region TEXT,
            kind TEXT,
            subject TEXT,
            requested_at TEXT,
            due_at TEXT,
            content_sha256 TEXT,
            status TEXT NOT NULL DEFAULT 'requested',
            assignee TEXT,
            assigned_at TEXT,
            results TEXT,
            material_ids TEXT,
            answered_at TEXT,
            overdue_flagged INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX assistance_by_time ON assistance(requested_at DESC, id DESC);
        CREATE INDEX assistance_by_requester ON assistance(requesting_region, requested_at DESC, id DESC);
        CREATE INDEX assistance_by_asked ON assistance(asked_region, requested_at DESC, id DESC);
        CREATE INDEX assistance_by_status ON assistance(status, requested_at DESC, id DESC);
        CREATE INDEX assistance_requester_status ON assistance(requesting_region, status, requested_at DESC, id DESC);
        CREATE INDEX assistance_asked_status ON assistance(asked_region, status, requested_at DESC, id DESC);
        CREATE INDEX assistance_by_kind ON assistance(kind, requested_at DESC, id DESC);
        CREATE INDEX assistance_open ON assistance(requesting_region, due_at) WHERE status != 'answered';
        CREATE TABLE joint_cases (
            id TEXT PRIMARY KEY,
            lead_region TEXT,
            title TEXT,
            matter TEXT,
            participants TEXT,
            opened_at TEXT,
            status TEXT NOT NULL DEFAULT 'open',
            step TEXT,
            step_at TEXT
        );
        CREATE INDEX joint_cases_by_time ON joint_cases(opened_at DESC, id DESC);
        CREATE INDEX joint_cases_by_lead ON joint_cases(lead_region, opened_at DESC, id DESC);
        CREATE TABLE findings (
            id TEXT PRIMARY KEY,
            case_id TEXT NOT NULL,
            region TEXT NOT NULL,
            summary TEXT NOT NULL,
            material_ids TEXT NOT NULL,
            contributed_at TEXT NOT NULL
        );
        CREATE INDEX findings_by_case ON findings(case_id, contributed_at);
        CREATE TABLE parties (
            record_id TEXT NOT NULL,
            region TEXT NOT NULL,
            PRIMARY KEY (record_id, region)
        ) WITHOUT ROWID;
        CREATE TABLE materials (
            id TEXT PRIMARY KEY,
            record_id TEXT NOT NULL,
            holder_region TEXT NOT NULL,
            classification TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            name TEXT,
            size INTEGER,
            content_type TEXT,
            registered_at TEXT NOT NULL
        );
        CREATE INDEX materials_by_time ON materials(registered_at DESC, id DESC);
        CREATE INDEX materials_by_record ON materials(record_id, registered_at DESC, id DESC);
        CREATE INDEX materials_by_holder ON materials(holder_region, registered_at DESC, id DESC);
        CREATE TABLE material_contents (
            material_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            content_type TEXT NOT NULL,
            content BLOB NOT NULL
        );
        CREATE TABLE receipts (
            id TEXT PRIMARY KEY,
            record_id TEXT NOT NULL,
            record_kind TEXT NOT NULL,
            kind TEXT NOT NULL,
            sender_region TEXT NOT NULL,
            recipient_region TEXT NOT NULL,
            region TEXT NOT NULL,
            at TEXT NOT NULL,
            actor TEXT,
            content_sha256 TEXT NOT NULL,
            previous_sha256 TEXT,
            key_id TEXT NOT NULL,
            signature TEXT NOT NULL,
            overdue_flagged INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX receipts_by_step ON receipts(record_id, recipient_region, kind);
        CREATE INDEX receipts_submitted ON receipts(sender_region, at) WHERE kind = 'submitted';
        CREATE TABLE receipt_flags (
            record_id TEXT NOT NULL,
            recipient_region TEXT NOT NULL,
            missing TEXT NOT NULL,
            PRIMARY KEY (record_id, recipient_region, missing)
        ) WITHOUT ROWID;
        CREATE TABLE case_sequences (
            year INTEGER PRIMARY KEY,
            last INTEGER NOT NULL
        )
        """,
    ),
    # A flag names the sending region, so its gauge counts its own still-missing receipts from the flags
    # (few: incidents) instead of from every submission it ever made.
    (
        "procuratorate-002-flag-sender",
        """
        ALTER TABLE receipt_flags ADD COLUMN sender_region TEXT;
        CREATE INDEX receipt_flags_by_sender ON receipt_flags(sender_region)
        """,
    ),
    # The free texts leave the events: the read models keep each text's SHA-256; the writing region holds
    # the text itself (held_texts), served point to point to the record's parties.
    (
        "procuratorate-003-held-texts",
        """
        ALTER TABLE referrals DROP COLUMN title;
        ALTER TABLE referrals DROP COLUMN summary;
        ALTER TABLE referrals DROP COLUMN reasons;
        ALTER TABLE referrals ADD COLUMN title_sha256 TEXT;
        ALTER TABLE referrals ADD COLUMN summary_sha256 TEXT;
        ALTER TABLE referrals ADD COLUMN reasons_sha256 TEXT;
        ALTER TABLE assistance DROP COLUMN subject;
        ALTER TABLE assistance DROP COLUMN results;
        ALTER TABLE assistance ADD COLUMN subject_sha256 TEXT;
        ALTER TABLE assistance ADD COLUMN results_sha256 TEXT;
        ALTER TABLE findings DROP COLUMN summary;
        ALTER TABLE findings ADD COLUMN summary_sha256 TEXT;
        CREATE TABLE steps (
            id TEXT PRIMARY KEY,
            case_id TEXT NOT NULL,
            step TEXT NOT NULL,
            note_sha256 TEXT NOT NULL,
            decided_at TEXT NOT NULL
        );
        CREATE INDEX steps_by_case ON steps(case_id, decided_at);
        CREATE TABLE held_texts (
            record_id TEXT NOT NULL,
            part TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (record_id, part)
        ) WITHOUT ROWID
        """,
    ),
]

# A receipt as signed: the `Receipt` view's fields (the row's `id` is its `receipt_id`).
RECEIPT_FIELDS = tuple(Receipt.model_fields)
_HELD_TEXT_COLUMNS = ", ".join(HeldText.model_fields)  # a text as its holder serves it


def next_case_sequence(conn: sqlite3.Connection, year: int) -> int:
    """Gapless per office and year: the increment commits or rolls back with the acceptance using it."""
    return conn.execute(
        "INSERT INTO case_sequences(year, last) VALUES (?, 1) "
        "ON CONFLICT(year) DO UPDATE SET last = last + 1 RETURNING last",
        (year,),
    ).fetchone()[0]


def restore_sequences(conn: sqlite3.Connection, region: str) -> int:
    """After a rebuild: case numbers continue from the highest this office gave each year."""
    office, last = OFFICE_ABBR[Region(region)], {}
    rows = conn.execute("SELECT case_number FROM referrals WHERE to_region = ? AND case_number IS NOT NULL", (region,))
    for (number,) in rows:
        parsed = parse_case_number(number)
        if parsed and parsed[0] == office:
            last[parsed[1]] = max(last.get(parsed[1], 0), parsed[2])
    conn.executemany(
        "INSERT INTO case_sequences(year, last) VALUES (?, ?) "
        "ON CONFLICT(year) DO UPDATE SET last = max(last, excluded.last)",
        list(last.items()),
    )
    return len(last)


def assign(conn: sqlite3.Connection, request_id: str, assignee: str, at: datetime) -> None:
    """The latest assignment stands, whatever order they arrive in; an answered request stays answered."""
    conn.execute(
        "INSERT INTO assistance(id, status, assignee, assigned_at) VALUES (?, 'assigned', ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET "
        "status = CASE WHEN assistance.status = 'answered' THEN 'answered' ELSE 'assigned' END, "
        "assignee = CASE WHEN assistance.assigned_at IS NULL OR excluded.assigned_at >= assistance.assigned_at "
        "THEN excluded.assignee ELSE assistance.assignee END, "
        "assigned_at = max(coalesce(assistance.assigned_at, ''), excluded.assigned_at)",
        (request_id, assignee, to_db(at)),
    )


def decide_step(conn: sqlite3.Connection, case_id: str, step: str, status: str, at: datetime) -> None:
    """The latest step decided stands, whatever order the lead's decisions arrive in."""
    conn.execute(
        "INSERT INTO joint_cases(id, status, step, step_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
        "status = CASE WHEN later THEN excluded.status ELSE joint_cases.status END, "
        "step = CASE WHEN later THEN excluded.step ELSE joint_cases.step END, "
        "step_at = CASE WHEN later THEN excluded.step_at ELSE joint_cases.step_at END".replace(
            "later", "(joint_cases.step_at IS NULL OR excluded.step_at >= joint_cases.step_at)"
        ),
        (case_id, status, step, to_db(at)),
    )


def add_parties(conn: sqlite3.Connection, record_id: str, regions: list[str]) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO parties(record_id, region) VALUES (?, ?)", [(record_id, r) for r in regions]
    )


def parties(conn: sqlite3.Connection, record_id: str) -> list[str]:
    rows = conn.execute("SELECT region FROM parties WHERE record_id = ? ORDER BY region", (record_id,))
    return [r[0] for r in rows]


def is_party(conn: sqlite3.Connection, record_id: str, region: str) -> bool:
    found = conn.execute("SELECT 1 FROM parties WHERE record_id = ? AND region = ?", (record_id, region))
    return found.fetchone() is not None


def _json_lists(row: sqlite3.Row, *columns: str) -> dict[str, Any]:
    item = records.as_dict(row)
    for column in columns:
        item[column] = orjson.loads(item[column]) if item.get(column) else []
    for flag in ("overdue_flagged",):
        if flag in item:
            item[flag] = bool(item[flag])
    return item


def referral(conn: sqlite3.Connection, referral_id: str) -> ReferralRow | None:
    row = conn.execute("SELECT * FROM referrals WHERE id = ?", (referral_id,)).fetchone()
    return cast(ReferralRow, _json_lists(row)) if row else None


def assistance(conn: sqlite3.Connection, request_id: str) -> AssistanceRow | None:
    row = conn.execute("SELECT * FROM assistance WHERE id = ?", (request_id,)).fetchone()
    return cast(AssistanceRow, _json_lists(row, "material_ids")) if row else None


def joint_case(conn: sqlite3.Connection, case_id: str) -> JointCaseRow | None:
    row = conn.execute("SELECT * FROM joint_cases WHERE id = ?", (case_id,)).fetchone()
    return cast(JointCaseRow, _json_lists(row, "participants")) if row else None


def findings(conn: sqlite3.Connection, case_id: str) -> list[FindingRow]:
    rows = conn.execute("SELECT * FROM findings WHERE case_id = ? ORDER BY contributed_at, id", (case_id,))
    return [cast(FindingRow, _json_lists(r, "material_ids")) for r in rows]


def steps(conn: sqlite3.Connection, case_id: str) -> list[StepRow]:
    rows = conn.execute("SELECT * FROM steps WHERE case_id = ? ORDER BY decided_at, id", (case_id,))
    return [cast(StepRow, records.as_dict(r)) for r in rows]


def hold_text(conn: sqlite3.Connection, record_id: str, part: str, sha256: str, text: str) -> None:
    conn.execute(
        "INSERT INTO held_texts(record_id, part, sha256, text) VALUES (?, ?, ?, ?)", (record_id, part, sha256, text)
    )


def held_texts(conn: sqlite3.Connection, record_id: str) -> list[dict[str, Any]]:
    """The texts this region wrote for a record (its findings' and steps' included)."""
    rows = conn.execute(f"SELECT {_HELD_TEXT_COLUMNS} FROM held_texts WHERE record_id = ? ORDER BY part", (record_id,))
    return [records.as_dict(r) for r in rows]


def material(conn: sqlite3.Connection, material_id: str) -> MaterialRow | None:
    row = conn.execute("SELECT * FROM materials WHERE id = ?", (material_id,)).fetchone()
    return cast(MaterialRow, records.as_dict(row)) if row else None


def add_material_content(
    conn: sqlite3.Connection, material_id: str, name: str, content_type: str, content: bytes
) -> None:
    conn.execute(
        "INSERT INTO material_contents(material_id, name, content_type, content) VALUES (?, ?, ?, ?)",
        (material_id, name, content_type, content),
    )


def material_content(conn: sqlite3.Connection, material_id: str) -> MaterialContentRow | None:
    row = conn.execute("SELECT * FROM material_contents WHERE material_id = ?", (material_id,)).fetchone()
    return cast(MaterialContentRow, records.as_dict(row)) if row else None


def add_receipt(conn: sqlite3.Connection, receipt: dict[str, Any]) -> None:
    values = {("id" if k == "receipt_id" else k): v for k, v in receipt.items()}
    records.insert(conn, "receipts", values, or_ignore=True)


def receipts(conn: sqlite3.Connection, record_id: str) -> list[SignedReceipt]:
    """A record's receipts as signed, chain by chain (by recipient), each chain in its order."""
    rows = conn.execute(
        "SELECT * FROM receipts WHERE record_id = ? ORDER BY recipient_region, "
        "CASE kind WHEN 'submitted' THEN 0 WHEN 'relayed' THEN 1 WHEN 'delivered' THEN 2 ELSE 3 END",
        (record_id,),
    )
    return [_signed(r) for r in rows]


def _signed(row: sqlite3.Row) -> SignedReceipt:
    item = records.as_dict(row)
    return cast(SignedReceipt, {field: item["id" if field == "receipt_id" else field] for field in RECEIPT_FIELDS})


def chain(conn: sqlite3.Connection, record_id: str, recipient: str) -> list[SignedReceipt]:
    return [r for r in receipts(conn, record_id) if r["recipient_region"] == recipient]


def has_receipt(conn: sqlite3.Connection, record_id: str, recipient: str, kind: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM receipts WHERE record_id = ? AND recipient_region = ? AND kind = ?",
        (record_id, recipient, kind),
    )
    return found.fetchone() is not None


def submitted_unflagged(conn: sqlite3.Connection, sender: str, before: datetime) -> list[sqlite3.Row]:
    """This office's submissions older than `before` (the scanner checks what each still lacks)."""
    return conn.execute(
        "SELECT record_id, recipient_region, at FROM receipts WHERE sender_region = ? AND kind = 'submitted' "
        "AND at < ? AND overdue_flagged = 0",
        (sender, to_db(before)),
    ).fetchall()


def flag_receipt(conn: sqlite3.Connection, record_id: str, recipient: str, missing: str, sender: str) -> bool:
    """Once per missing step: True the first time."""
    inserted = conn.execute(
        "INSERT OR IGNORE INTO receipt_flags(record_id, recipient_region, missing, sender_region) VALUES (?, ?, ?, ?)",
        (record_id, recipient, missing, sender),
    )
    return inserted.rowcount == 1


def still_missing(conn: sqlite3.Connection, sender: str) -> list[sqlite3.Row]:
    """This office's flagged deliveries whose missing receipt has still not come, by recipient and step."""
    return conn.execute(
        "SELECT recipient_region, missing, count(*) n FROM receipt_flags f WHERE sender_region = ? AND NOT EXISTS "
        "(SELECT 1 FROM receipts x WHERE x.record_id = f.record_id AND x.recipient_region = f.recipient_region "
        "AND x.kind = f.missing) GROUP BY 1, 2",
        (sender,),
    ).fetchall()


def close_submission(conn: sqlite3.Connection, record_id: str, recipient: str) -> None:
    """Nothing more to flag for this delivery: the scanner no longer reads it."""
    conn.execute(
        "UPDATE receipts SET overdue_flagged = 1 WHERE record_id = ? AND recipient_region = ? AND kind = 'submitted'",
        (record_id, recipient),
    )


def pending_referrals(conn: sqlite3.Connection, sender: str, now: datetime) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, due_at FROM referrals WHERE from_region = ? AND status = 'referred' AND due_at < ? "
        "AND overdue_flagged = 0",
        (sender, to_db(now)),
    ).fetchall()


def open_assistance(conn: sqlite3.Connection, requester: str, now: datetime) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, due_at FROM assistance WHERE requesting_region = ? AND status != 'answered' AND due_at < ? "
        "AND overdue_flagged = 0",
        (requester, to_db(now)),
    ).fetchall()


def search(conn: sqlite3.Connection, table: str, f: dict[str, Any], order: str, limit: int, cursor: str | None):
    conditions = [(f"{column} = ?", value) for column, value in f.items()]
    decode = {
        "assistance": lambda r: _json_lists(r, "material_ids"),
        "joint_cases": lambda r: _json_lists(r, "participants"),
    }
    return records.search(conn, table, conditions, order, limit, cursor, decode.get(table, _json_lists))
