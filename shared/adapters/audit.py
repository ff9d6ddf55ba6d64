"""Tamper-evident audit log: every write, sensitive read and denial, hash-chained.

Each entry holds the hash of the one before; the hash covers the entry's canonical JSON. `verify`
recomputes the chain and names the first index that was altered, removed or reordered. Entries are also
published to `{region}.audit`, so a truncated tail can be checked against the topic.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from shared.contracts.audit import AuditEntry

GENESIS = "0" * 64


def _digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()


def append(conn: sqlite3.Connection, **fields: Any) -> AuditEntry:
    """Append inside the caller's transaction (BEGIN IMMEDIATE serialises the chain head)."""
    head = conn.execute("SELECT idx, hash FROM audit_log ORDER BY idx DESC LIMIT 1").fetchone()
    index, prev_hash = (head["idx"] + 1, head["hash"]) if head else (1, GENESIS)
    body = {
        "index": index,
        "at": datetime.now(UTC),
        "prev_hash": prev_hash,
        **fields,
    }
    validated = AuditEntry.model_validate({**body, "hash": GENESIS})
    unhashed = validated.model_dump(mode="json", exclude={"hash"})
    digest = _digest(unhashed)
    # Validated once: the hash is the only change, and it is a digest string (every write pays for this).
    entry = validated.model_copy(update={"hash": digest})
    restore(conn, entry, {**unhashed, "hash": digest})
    return entry


def restore(conn: sqlite3.Connection, entry: AuditEntry, stored: dict[str, Any] | None = None) -> None:
    """Store one entry as it is (also how a rebuild puts back the chain published to the audit topic);
    `stored`: its JSON form, when the caller has it already."""
    conn.execute(
        "INSERT INTO audit_log(idx, entry, hash) VALUES (?, ?, ?)",
        (entry.index, orjson.dumps(stored or entry.model_dump(mode="json")), entry.hash),
    )
    conn.execute(
        "INSERT INTO audit_index(idx, actor, record, action, decision, at) VALUES (?, ?, ?, ?, ?, ?)",
        (entry.index, entry.actor, entry.record, entry.action, entry.decision, entry.at.isoformat()),
    )


def unpublished(conn: sqlite3.Connection) -> list[AuditEntry]:
    """The entries appended since the last call, in chain order, from now on counted as published: the
    caller stages them for the audit topic in the same transaction."""
    after_mark = "SELECT idx, entry FROM audit_log WHERE idx > (SELECT idx FROM audit_published) ORDER BY idx"
    rows = conn.execute(after_mark).fetchall()  # every write transaction asks: one statement
    if rows:
        conn.execute("UPDATE audit_published SET idx = ?", (rows[-1][0],))
    return [AuditEntry.model_validate_json(row[1]) for row in rows]


def mark_published(conn: sqlite3.Connection) -> None:
    """Count the whole chain as published (a rebuild restores it from the topic: it is there already)."""
    conn.execute("UPDATE audit_published SET idx = (SELECT coalesce(max(idx), 0) FROM audit_log)")


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_bad_index: int | None = None
    problem: str | None = None


def verify(conn: sqlite3.Connection, published: dict[int, str] | None = None) -> ChainReport:
    """Walk the chain; with `published` (index -> hash, as read back from `{region}.audit`), also catch
    what the chain alone cannot: entries removed from its end, or a tail forged and re-chained."""
    report = _verify_chain(conn)
    if not report.ok or not published:
        return report
    local = dict(conn.execute("SELECT idx, hash FROM audit_log").fetchall())
    for index in sorted(published):
        if index not in local:
            return ChainReport(False, report.entries, index, "published to the audit topic but missing here (removed)")
        if local[index] != published[index]:
            return ChainReport(False, report.entries, index, "differs from the copy published to the audit topic")
    return report


def _verify_chain(conn: sqlite3.Connection) -> ChainReport:
    expected_index, prev_hash, count = 1, GENESIS, 0
    for row in conn.execute("SELECT idx, entry, hash FROM audit_log ORDER BY idx"):
        count += 1
        if row["idx"] != expected_index:
            return ChainReport(False, count, expected_index, f"entry {expected_index} is missing")
        stored = orjson.loads(row["entry"])
        claimed = stored.pop("hash", None)
        if stored.get("index") != row["idx"]:
            return ChainReport(False, count, row["idx"], "entry stored at the wrong position (reordered)")
        if stored.get("prev_hash") != prev_hash:
            return ChainReport(False, count, row["idx"], "does not link to the entry before it")
        if _digest(stored) != claimed or claimed != row["hash"]:
            return ChainReport(False, count, row["idx"], "content altered")
        prev_hash, expected_index = row["hash"], expected_index + 1
    return ChainReport(True, count)


def load(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry.model_validate(orjson.loads(row["entry"]))


def search(conn: sqlite3.Connection, filters: dict[str, Any], limit: int, before: int | None) -> list[AuditEntry]:
    """Newest first; `filters` (record, actor, since, until) that are None are skipped; `before`: an index."""
    clauses, args = ["1=1"], []
    for clause, name in (("record = ?", "record"), ("actor = ?", "actor"), ("at >= ?", "since"), ("at < ?", "until")):
        value = filters.get(name)
        if value is not None:
            clauses.append(clause)
            args.append(value.isoformat() if isinstance(value, datetime) else value)
    if before is not None:
        clauses.append("i.idx < ?")
        args.append(before)
    # A time window is read from a time index and its entries sorted; without one the walk back along the
    # chain would read every entry after `until` (or before `since`) to find the window's.
    timed = filters.get("since") is not None or filters.get("until") is not None
    index = "audit_actor_time" if filters.get("actor") is not None else "audit_by_time"
    source = f"audit_index i INDEXED BY {index}" if timed and filters.get("record") is None else "audit_index i"
    rows = conn.execute(
        f"SELECT l.idx, l.entry FROM {source} JOIN audit_log l ON l.idx = i.idx "
        f"WHERE {' AND '.join(clauses)} ORDER BY i.idx DESC LIMIT ?",
        (*args, limit),
    ).fetchall()
    return [load(r) for r in rows]
