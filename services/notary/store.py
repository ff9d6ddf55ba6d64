"""Notary tables: the certificate registry of every region (applicants masked), full applicant and
proof-subject detail only at their owner, verifications, proof requests, and registry freshness."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any, cast

from services.notary.domain import CERTIFICATE_NUMBER, CertificateStatus, certificate_status
from services.notary.rows import (
    CertificateApplicantRow,
    CertificateRow,
    ProofDocumentRow,
    ProofRequestRow,
    ProofSubjectRow,
    VerificationSeenRow,
)
from shared.adapters import records
from shared.adapters.records import to_db
from shared.adapters.store import Migration

MIGRATIONS: list[Migration] = [
    (
        "notary-001",
        """
        CREATE TABLE certificates (
            id TEXT PRIMARY KEY,
            issuer_region TEXT,
            office TEXT,
            matter TEXT,
            applicant_name TEXT,
            applicant_id TEXT,
            document_sha256 TEXT,
            valid_until TEXT,
            issued_at TEXT,
            status TEXT NOT NULL,
            version INTEGER NOT NULL,
            revoked_at TEXT,
            reason TEXT
        );
        CREATE INDEX certificates_by_issued ON certificates(issued_at DESC, id DESC);
        CREATE TABLE certificate_applicants (
            number TEXT PRIMARY KEY REFERENCES certificates(id),
            name TEXT NOT NULL,
            id_number TEXT NOT NULL
        );
        CREATE TABLE certificate_sequences (
            year INTEGER PRIMARY KEY,
            last INTEGER NOT NULL
        );
        CREATE TABLE verifications (
            id TEXT PRIMARY KEY,
            number TEXT NOT NULL,
            verifier_region TEXT NOT NULL,
            issuer_region TEXT,
            result TEXT NOT NULL,
            verified_at TEXT NOT NULL
        );
        CREATE INDEX verifications_by_number ON verifications(number, verified_at);
        CREATE INDEX verifications_by_time ON verifications(verified_at DESC, id DESC);
        CREATE TABLE proof_requests (
            id TEXT PRIMARY KEY,
            requesting_region TEXT,
            holding_region TEXT,
            proof_type TEXT,
            subject_name TEXT,
            subject_id TEXT,
            purpose TEXT,
            application_ref TEXT,
            requested_at TEXT,
            due_at TEXT,
            status TEXT NOT NULL DEFAULT 'requested',
            document_sha256 TEXT,
            summary TEXT,
            reason TEXT,
            answered_at TEXT,
            overdue_flagged INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX proofs_by_requested ON proof_requests(requested_at DESC, id DESC);
        CREATE TABLE proof_subjects (
            request_id TEXT PRIMARY KEY REFERENCES proof_requests(id),
            name TEXT NOT NULL,
            id_number TEXT NOT NULL
        );
        CREATE TABLE registry_sync (
            region TEXT PRIMARY KEY,
            last_event_at TEXT NOT NULL
        )
        """,
    ),
    (
        "notary-002-agencies",
        """
        ALTER TABLE proof_requests ADD COLUMN agency TEXT;
        ALTER TABLE proof_requests ADD COLUMN holding_agency TEXT
        """,
    ),
    (
        "notary-003-revoked-after-verification",
        """
        CREATE VIEW verifications_seen AS
            SELECT v.*, c.revoked_at AS certificate_revoked_at
            FROM verifications v LEFT JOIN certificates c ON c.id = v.number;
        CREATE INDEX certificates_revoked ON certificates(revoked_at) WHERE revoked_at IS NOT NULL;
        ALTER TABLE certificates ADD COLUMN replaces TEXT;
        ALTER TABLE certificates ADD COLUMN superseded_by TEXT;
        ALTER TABLE certificates ADD COLUMN superseded_at TEXT
        """,
    ),
    (
        "notary-004-proof-documents",
        """
        ALTER TABLE proof_requests ADD COLUMN document_name TEXT;
        CREATE TABLE proof_documents (
            request_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            content_type TEXT NOT NULL,
            content BLOB NOT NULL
        )
        """,
    ),
    # What /metrics counts at every scrape, read from indexes instead of every row of the tables.
    (
        "notary-005-counted",
        """
        CREATE INDEX certificates_counted ON certificates(issuer_region, status);
        CREATE INDEX verifications_counted ON verifications(verifier_region, result);
        CREATE INDEX proofs_counted ON proof_requests(requesting_region, status, proof_type, overdue_flagged)
        """,
    ),
    # Each list filter answered from an index in the list's order (newest first), so a page reads a page of
    # rows whatever the store holds (tests/flows/test_query_plans.py).
    (
        "notary-006-lists",
        """
        CREATE INDEX certificates_by_issuer ON certificates(issuer_region, issued_at DESC, id DESC);
        CREATE INDEX certificates_issuer_status ON certificates(issuer_region, status, issued_at DESC, id DESC);
        CREATE INDEX certificates_by_matter ON certificates(matter, issued_at DESC, id DESC);
        CREATE INDEX certificates_by_status ON certificates(status, issued_at DESC, id DESC);
        CREATE INDEX verifications_by_verifier ON verifications(verifier_region, verified_at DESC, id DESC);
        CREATE INDEX verifications_by_issuer ON verifications(issuer_region, verified_at DESC, id DESC);
        CREATE INDEX verifications_by_result ON verifications(result, verified_at DESC, id DESC);
        CREATE INDEX proofs_by_requester ON proof_requests(requesting_region, requested_at DESC, id DESC);
        CREATE INDEX proofs_requester_status ON proof_requests(requesting_region, status, requested_at DESC, id DESC);
        CREATE INDEX proofs_by_holder ON proof_requests(holding_region, requested_at DESC, id DESC);
        CREATE INDEX proofs_holder_status ON proof_requests(holding_region, status, requested_at DESC, id DESC);
        CREATE INDEX proofs_by_type ON proof_requests(proof_type, requested_at DESC, id DESC);
        CREATE INDEX proofs_by_status ON proof_requests(status, requested_at DESC, id DESC)
        """,
    ),
]


def next_certificate_sequence(conn: sqlite3.Connection, year: int) -> int:
    """Gapless per office and year: the increment commits or rolls back with the issue that uses it."""
    return conn.execute(
        "INSERT INTO certificate_sequences(year, last) VALUES (?, 1) "
        "ON CONFLICT(year) DO UPDATE SET last = last + 1 RETURNING last",
        (year,),
    ).fetchone()[0]


def get_certificate(conn: sqlite3.Connection, number: str, now: datetime) -> CertificateRow | None:
    row = conn.execute("SELECT * FROM certificates WHERE id = ?", (number,)).fetchone()
    return _certificate(row, now) if row else None


def _certificate(row: sqlite3.Row, now: datetime) -> CertificateRow:
    item = records.as_dict(row)
    if item["status"] is not None:
        valid_until = datetime.fromisoformat(item["valid_until"]) if item["valid_until"] else None
        item["status"] = certificate_status(item["status"], valid_until, now).value
    return cast(CertificateRow, item)


# The effective status as SQL, with `now` for the one placeholder: the same rule as domain.certificate_status.
_STATUS_SQL = {
    CertificateStatus.VALID: "status = 'valid' AND (valid_until IS NULL OR valid_until > ?)",
    CertificateStatus.EXPIRED: "status = 'valid' AND valid_until <= ?",
    CertificateStatus.REVOKED: "status = 'revoked' AND ? IS NOT NULL",
    CertificateStatus.SUPERSEDED: "status = 'superseded' AND ? IS NOT NULL",
}


def add_applicant(conn: sqlite3.Connection, number: str, name: str, id_number: str) -> None:
    records.insert(conn, "certificate_applicants", {"number": number, "name": name, "id_number": id_number})


def applicant(conn: sqlite3.Connection, number: str) -> CertificateApplicantRow | None:
    """The applicant in full, held by the issuing office only."""
    row = conn.execute("SELECT * FROM certificate_applicants WHERE number = ?", (number,)).fetchone()
    return cast(CertificateApplicantRow, records.as_dict(row)) if row else None


def add_proof_document(conn: sqlite3.Connection, request_id: str, name: str, content_type: str, content: bytes) -> None:
    conn.execute(
        "INSERT INTO proof_documents(request_id, name, content_type, content) VALUES (?, ?, ?, ?)",
        (request_id, name, content_type, content),
    )


def proof_document(conn: sqlite3.Connection, request_id: str) -> ProofDocumentRow | None:
    row = conn.execute("SELECT * FROM proof_documents WHERE request_id = ?", (request_id,)).fetchone()
    return cast(ProofDocumentRow, records.as_dict(row)) if row else None


def add_verification(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    records.insert(conn, "verifications", values, or_ignore=True)


def verifications_of(conn: sqlite3.Connection, number: str) -> list[VerificationSeenRow]:
    rows = conn.execute("SELECT * FROM verifications_seen WHERE number = ? ORDER BY verified_at", (number,))
    return [cast(VerificationSeenRow, records.as_dict(r)) for r in rows]


def get_proof_request(conn: sqlite3.Connection, request_id: str) -> ProofRequestRow | None:
    row = conn.execute("SELECT * FROM proof_requests WHERE id = ?", (request_id,)).fetchone()
    if row is None:
        return None
    return _proof(row)


def _proof(row: sqlite3.Row) -> ProofRequestRow:
    item = records.as_dict(row)
    item["overdue_flagged"] = bool(item["overdue_flagged"])
    return cast(ProofRequestRow, item)


def add_proof_subject(conn: sqlite3.Connection, request_id: str, name: str, id_number: str) -> None:
    records.insert(conn, "proof_subjects", {"request_id": request_id, "name": name, "id_number": id_number})


def proof_subject(conn: sqlite3.Connection, request_id: str) -> ProofSubjectRow | None:
    row = conn.execute("SELECT * FROM proof_subjects WHERE request_id = ?", (request_id,)).fetchone()
    return cast(ProofSubjectRow, records.as_dict(row)) if row else None


def overdue_proofs(conn: sqlite3.Connection, requester: str, now: datetime) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, due_at FROM proof_requests WHERE requesting_region = ? AND status = 'requested' "
        "AND overdue_flagged = 0 AND due_at < ?",
        (requester, to_db(now)),
    ).fetchall()


def touch_registry(conn: sqlite3.Connection, region: str, at: datetime) -> None:
    conn.execute(
        "INSERT INTO registry_sync(region, last_event_at) VALUES (?, ?) ON CONFLICT(region) DO UPDATE SET "
        "last_event_at = max(registry_sync.last_event_at, excluded.last_event_at)",
        (region, to_db(at)),
    )


def registry_last_event(conn: sqlite3.Connection, region: str) -> str | None:
    row = conn.execute("SELECT last_event_at FROM registry_sync WHERE region = ?", (region,)).fetchone()
    return row[0] if row else None


def search_certificates(
    conn: sqlite3.Connection, f: dict[str, Any], limit: int, cursor: str | None, now: datetime
) -> dict:
    status = f.get("status")
    conditions = [
        ("issuer_region = ?", f.get("issuer_region")),
        ("matter = ?", f.get("matter")),
        (_STATUS_SQL[status] if status else "", now if status else None),
        ("issued_at >= ?", f.get("issued_from")),
        ("issued_at < ?", f.get("issued_to")),
    ]
    return records.search(conn, "certificates", conditions, "issued_at", limit, cursor, lambda r: _certificate(r, now))


def search_verifications(conn: sqlite3.Connection, f: dict[str, Any], limit: int, cursor: str | None) -> dict:
    # With `revoked_since`, the other filters are checked on its few rows (`+column`: no index of theirs),
    # so the search starts from the certificates revoked since, not from every verification of a region.
    checked = "+" if f.get("revoked_since") else ""
    conditions = [
        ("number = ?", f.get("certificate_number")),
        (f"{checked}verifier_region = ?", f.get("verifier_region")),
        (f"{checked}issuer_region = ?", f.get("issuer_region")),
        (f"{checked}result = ?", f.get("result")),
        # Verifications that relied on a certificate revoked since: the verifier learns of the revocation.
        (
            "number IN (SELECT id FROM certificates WHERE revoked_at >= ?) AND verified_at <= certificate_revoked_at",
            f.get("revoked_since"),
        ),
    ]
    return records.search(conn, "verifications_seen", conditions, "verified_at", limit, cursor)


def search_proofs(conn: sqlite3.Connection, f: dict[str, Any], limit: int, cursor: str | None) -> dict:
    conditions = [
        ("requesting_region = ?", f.get("requesting_region")),
        ("holding_region = ?", f.get("holding_region")),
        ("proof_type = ?", f.get("proof_type")),
        ("status = ?", f.get("status")),
    ]
    return records.search(conn, "proof_requests", conditions, "requested_at", limit, cursor, _proof)


def gauges(conn: sqlite3.Connection, region: str) -> dict[str, Any]:
    """What the notary gauges show, counted in one read."""
    return {
        "certificates": conn.execute(
            "SELECT status, count(*) n FROM certificates WHERE issuer_region = ? GROUP BY status", (region,)
        ).fetchall(),
        "verifications": conn.execute(
            "SELECT verifier_region, result, count(*) n FROM verifications GROUP BY 1, 2"
        ).fetchall(),
        # From the revoked certificates (few) to their verifications: CROSS JOIN keeps that order.
        "revoked_after_verification": conn.execute(
            "SELECT v.verifier_region, count(*) n FROM certificates c "
            # By each certificate's number: the issuer's index would read all its verifications per revocation.
            "CROSS JOIN verifications v INDEXED BY verifications_by_number ON v.number = c.id "
            "WHERE c.revoked_at IS NOT NULL AND v.issuer_region = ? AND v.verified_at <= c.revoked_at GROUP BY 1",
            (region,),
        ).fetchall(),
        "proof_requests": conn.execute(
            "SELECT proof_type, status, count(*) n FROM proof_requests WHERE requesting_region = ? GROUP BY 1, 2",
            (region,),
        ).fetchall(),
        "proofs_shared": conn.execute(
            "SELECT count(*) FROM proof_requests WHERE requesting_region = ? AND status = 'provided'", (region,)
        ).fetchone()[0],
        "proofs_overdue": conn.execute(
            "SELECT count(*) FROM proof_requests WHERE requesting_region = ? AND status = 'requested' "
            "AND overdue_flagged = 1",
            (region,),
        ).fetchone()[0],
        # The same, by the region holding the proof: the one that must answer (its duty channel is alerted).
        "proofs_overdue_by_holder": conn.execute(
            "SELECT holding_region, count(*) n FROM proof_requests WHERE requesting_region = ? "
            "AND status = 'requested' AND overdue_flagged = 1 GROUP BY 1",
            (region,),
        ).fetchall(),
    }


def restore_sequences(conn: sqlite3.Connection, region: str) -> int:
    """After a rebuild: certificate numbers continue from the highest this office issued each year."""
    last: dict[int, int] = {}
    for (number,) in conn.execute("SELECT id FROM certificates WHERE issuer_region = ?", (region,)):
        if match := CERTIFICATE_NUMBER.match(number):
            year = int(match["year"])
            last[year] = max(last.get(year, 0), int(match["seq"]))
    conn.executemany(
        "INSERT INTO certificate_sequences(year, last) VALUES (?, ?) "
        "ON CONFLICT(year) DO UPDATE SET last = max(last, excluded.last)",
        list(last.items()),
    )
    return len(last)
