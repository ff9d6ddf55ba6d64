"""Enforcement tables: every region's benchmarks (each version kept) and the regions' votes on them, every
region's decision summaries, and — at the deciding region only — each decision's party and written reasons."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any, cast

from services.enforcement.rows import (
    BenchmarkRow,
    BenchmarkVersionRow,
    BenchmarkVoteRow,
    DecisionDetailsRow,
    DecisionRow,
)
from services.enforcement.views import Benchmark
from shared.adapters import records
from shared.adapters.store import Migration

MIGRATIONS: list[Migration] = [
    (
        "enforcement-001",
        """
        CREATE TABLE benchmarks (
            id TEXT PRIMARY KEY,
            owner_region TEXT,
            code TEXT,
            scope TEXT,
            name TEXT,
            version INTEGER NOT NULL DEFAULT 0,
            status TEXT,
            effective_from TEXT,
            proposed_at TEXT
        );
        CREATE INDEX benchmarks_by_proposed ON benchmarks(proposed_at DESC, id DESC);
        CREATE INDEX benchmarks_by_code ON benchmarks(code, proposed_at DESC, id DESC);
        CREATE INDEX benchmarks_by_owner ON benchmarks(owner_region, proposed_at DESC, id DESC);
        CREATE INDEX benchmarks_by_scope ON benchmarks(scope, proposed_at DESC, id DESC);
        CREATE INDEX benchmarks_by_status ON benchmarks(status, proposed_at DESC, id DESC);
        CREATE TABLE benchmark_versions (
            benchmark_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            owner_region TEXT NOT NULL,
            code TEXT NOT NULL,
            scope TEXT NOT NULL,
            name TEXT NOT NULL,
            legal_basis TEXT NOT NULL,
            article TEXT NOT NULL,
            tiers TEXT NOT NULL,
            effective_from TEXT NOT NULL,
            reason TEXT,
            revises INTEGER,
            proposed_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'proposed',
            adopted_at TEXT,
            PRIMARY KEY (benchmark_id, version)
        );
        -- "in force for code X on day D": the adopted versions of a code, latest date first
        CREATE INDEX benchmark_versions_in_force
            ON benchmark_versions(code, scope, effective_from DESC, adopted_at DESC)
            WHERE status = 'adopted';
        CREATE TABLE benchmark_votes (
            benchmark_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            region TEXT NOT NULL,
            vote TEXT NOT NULL,
            reasons TEXT,
            at TEXT NOT NULL,
            PRIMARY KEY (benchmark_id, version, region)
        );
        CREATE TABLE decisions (
            id TEXT PRIMARY KEY,
            decided_region TEXT,
            agency TEXT,
            code TEXT,
            benchmark_id TEXT,
            benchmark_version INTEGER,
            tier TEXT,
            factors TEXT,
            penalty TEXT,
            fine_yuan INTEGER,
            fine_min_yuan INTEGER,
            fine_max_yuan INTEGER,
            within_range INTEGER,
            status TEXT,
            violation_date TEXT,
            decided_at TEXT,
            decided_on TEXT,
            signed_off_at TEXT
        );
        CREATE INDEX decisions_by_decided ON decisions(decided_at DESC, id DESC);
        CREATE INDEX decisions_by_region ON decisions(decided_region, decided_at DESC, id DESC);
        CREATE INDEX decisions_region_status ON decisions(decided_region, status, decided_at DESC, id DESC);
        CREATE INDEX decisions_by_code ON decisions(code, decided_at DESC, id DESC);
        CREATE INDEX decisions_by_tier ON decisions(tier, decided_at DESC, id DESC);
        CREATE INDEX decisions_by_status ON decisions(status, decided_at DESC, id DESC);
        CREATE INDEX decisions_by_within ON decisions(within_range, decided_at DESC, id DESC);
        -- similar cases: one code and tier's fines by region, from the index alone
        CREATE INDEX decisions_similar ON decisions(code, tier, status, decided_region, fine_yuan);
        -- consistency: a month's (or a window's) decisions, from the index alone
        CREATE INDEX decisions_consistency
            ON decisions(decided_on, code, tier, decided_region, status, fine_yuan, within_range);
        CREATE TABLE decision_details (
            decision_id TEXT PRIMARY KEY,
            party_kind TEXT NOT NULL,
            party_name TEXT NOT NULL,
            party_number TEXT NOT NULL,
            outside_reason TEXT,
            case_ref TEXT,
            sign_off_note TEXT
        )
        """,
    ),
]

VERSION_JSON = ("tiers",)
DECISION_JSON = ("factors", "penalty")
# What a benchmark's row holds, as lists show it: the `Benchmark` view's fields, from its latest version.
_BENCHMARK_SHOWN = tuple(Benchmark.model_fields)


# ---- benchmarks


def add_version(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    records.insert(conn, "benchmark_versions", values, or_ignore=True)


def _version(row: sqlite3.Row) -> BenchmarkVersionRow:
    return cast(BenchmarkVersionRow, records.decode_json_columns(row, VERSION_JSON))


def version(conn: sqlite3.Connection, benchmark_id: str, number: int) -> BenchmarkVersionRow | None:
    row = conn.execute(
        "SELECT * FROM benchmark_versions WHERE benchmark_id = ? AND version = ?", (benchmark_id, number)
    ).fetchone()
    return _version(row) if row else None


def versions(conn: sqlite3.Connection, benchmark_id: str) -> list[BenchmarkVersionRow]:
    rows = conn.execute("SELECT * FROM benchmark_versions WHERE benchmark_id = ? ORDER BY version", (benchmark_id,))
    return [_version(r) for r in rows]


def set_version_status(conn: sqlite3.Connection, benchmark_id: str, number: int, **fields: Any) -> None:
    records.update(conn, "benchmark_versions", {"benchmark_id": benchmark_id, "version": number}, **fields)


def object_to(conn: sqlite3.Connection, benchmark_id: str, number: int) -> None:
    """An objection sends a version under vote back (an adopted one stays adopted)."""
    conn.execute(
        "UPDATE benchmark_versions SET status = 'objected' WHERE benchmark_id = ? AND version = ? "
        "AND status = 'proposed'",
        (benchmark_id, number),
    )


def refresh_benchmark(conn: sqlite3.Connection, benchmark_id: str) -> None:
    """The benchmark's row as lists show it: its latest version known here."""
    latest = conn.execute(
        "SELECT * FROM benchmark_versions WHERE benchmark_id = ? ORDER BY version DESC LIMIT 1", (benchmark_id,)
    ).fetchone()
    if latest is None:
        return
    values = {"id": benchmark_id, **{k: latest[k] for k in _BENCHMARK_SHOWN if k != "id"}}
    records.merge(conn, "benchmarks", values)


def get_benchmark(conn: sqlite3.Connection, benchmark_id: str) -> BenchmarkRow | None:
    row = conn.execute("SELECT * FROM benchmarks WHERE id = ?", (benchmark_id,)).fetchone()
    return cast(BenchmarkRow, records.as_dict(row)) if row else None


def add_vote(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    records.insert(conn, "benchmark_votes", values, or_ignore=True)


def votes(conn: sqlite3.Connection, benchmark_id: str, number: int | None = None) -> list[BenchmarkVoteRow]:
    if number is None:
        rows = conn.execute(
            "SELECT * FROM benchmark_votes WHERE benchmark_id = ? ORDER BY version, at", (benchmark_id,)
        )
    else:
        rows = conn.execute(
            "SELECT * FROM benchmark_votes WHERE benchmark_id = ? AND version = ? ORDER BY at", (benchmark_id, number)
        )
    return [cast(BenchmarkVoteRow, records.as_dict(r)) for r in rows]


def in_force(conn: sqlite3.Connection, code: str, on: date, region: str) -> BenchmarkVersionRow | None:
    """The version in force for `code` on day `on` in `region`: the region's own local variant if one is,
    else the zone's: of the adopted versions effective by then, the latest to take effect."""
    for scope, owner, named in (("local", "AND owner_region = ?", (region,)), ("zone", "", ())):
        row = conn.execute(
            "SELECT * FROM benchmark_versions WHERE status = 'adopted' AND code = ? AND scope = ? "
            f"{owner} AND effective_from <= ? ORDER BY effective_from DESC, adopted_at DESC LIMIT 1",
            (code, scope, *named, on.isoformat()),
        ).fetchone()
        if row:
            return _version(row)
    return None


def search_benchmarks(conn: sqlite3.Connection, f: dict[str, Any], limit: int, cursor: str | None) -> dict:
    conditions = [
        ("code = ?", f.get("code")),
        ("owner_region = ?", f.get("owner_region")),
        ("scope = ?", f.get("scope")),
        ("status = ?", f.get("status")),
    ]
    return records.search(conn, "benchmarks", conditions, "proposed_at", limit, cursor, records.as_dict)


# ---- decisions


def decode_decision(row: sqlite3.Row) -> DecisionRow:
    item = records.decode_json_columns(row, DECISION_JSON)
    item["within_range"] = bool(item["within_range"]) if item["within_range"] is not None else None
    return cast(DecisionRow, item)


def get_decision(conn: sqlite3.Connection, decision_id: str) -> DecisionRow | None:
    row = conn.execute("SELECT * FROM decisions WHERE id = ?", (decision_id,)).fetchone()
    return decode_decision(row) if row else None


def add_details(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    records.insert(conn, "decision_details", values)


def details(conn: sqlite3.Connection, decision_id: str) -> DecisionDetailsRow | None:
    row = conn.execute("SELECT * FROM decision_details WHERE decision_id = ?", (decision_id,)).fetchone()
    return cast(DecisionDetailsRow, records.as_dict(row)) if row else None


def set_status_if_unset(conn: sqlite3.Connection, decision_id: str, status: str) -> None:
    conn.execute("UPDATE decisions SET status = ? WHERE id = ? AND status IS NULL", (status, decision_id))


def note_sign_off(conn: sqlite3.Connection, decision_id: str, note: str) -> None:
    records.update(conn, "decision_details", {"decision_id": decision_id}, sign_off_note=note)


def search_decisions(conn: sqlite3.Connection, f: dict[str, Any], limit: int, cursor: str | None) -> dict:
    within = f.get("within_range")
    conditions = [
        ("decided_region = ?", f.get("decided_region")),
        ("code = ?", f.get("code")),
        ("tier = ?", f.get("tier")),
        ("status = ?", f.get("status")),
        ("within_range = ?", None if within is None else int(within)),
    ]
    return records.search(conn, "decisions", conditions, "decided_at", limit, cursor, decode_decision)


def similar_fines(conn: sqlite3.Connection, code: str, tier: str) -> list[sqlite3.Row]:
    """The fines decided (final) for a code and tier, by region."""
    return conn.execute(
        "SELECT decided_region, fine_yuan FROM decisions WHERE code = ? AND tier = ? AND status = 'final'",
        (code, tier),
    ).fetchall()


def decided_between(conn: sqlite3.Connection, first: date, last: date) -> list[sqlite3.Row]:
    """The decisions (not rejected) decided from day `first` to day `last`, zone dates, both included."""
    return conn.execute(
        "SELECT code, tier, decided_region, fine_yuan, within_range FROM decisions "
        "WHERE decided_on BETWEEN ? AND ? AND status != 'rejected'",
        (first.isoformat(), last.isoformat()),
    ).fetchall()


def pending_review(conn: sqlite3.Connection, region: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM decisions WHERE decided_region = ? AND status = 'pending_review'", (region,)
    ).fetchone()[0]
