"""Alerts tables and queries: every region's alerts, per-target acknowledgement state (deadlines kept
here survive restarts), sightings and reinforcement requests."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any, cast

import orjson

from services.alerts.rows import AckRow, AlertRow, ReinforcementRow, SightingRow
from services.alerts.views import Acknowledgement
from shared.adapters import records
from shared.adapters.records import to_db
from shared.adapters.store import Migration

MIGRATIONS: list[Migration] = [
    (
        "alerts-001",
        """
        CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            origin_region TEXT,
            category TEXT,
            severity TEXT,
            title TEXT,
            description TEXT,
            location TEXT,
            subjects TEXT,
            action TEXT,
            targets TEXT,
            valid_until TEXT,
            raised_at TEXT,
            ack_due TEXT,
            status TEXT NOT NULL,
            version INTEGER NOT NULL,
            outcome TEXT,
            closed_at TEXT,
            updated_at TEXT
        );
        CREATE INDEX alerts_by_raised ON alerts(raised_at DESC, id DESC);
        CREATE TABLE alert_acks (
            alert_id TEXT NOT NULL,
            region TEXT NOT NULL,
            due_at TEXT,
            acknowledged_at TEXT,
            acknowledged_by TEXT,
            escalated_at TEXT,
            PRIMARY KEY (alert_id, region)
        );
        CREATE INDEX acks_pending ON alert_acks(due_at) WHERE acknowledged_at IS NULL AND escalated_at IS NULL;
        CREATE TABLE sightings (
            id TEXT PRIMARY KEY,
            alert_id TEXT NOT NULL,
            region TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            location TEXT NOT NULL,
            details TEXT NOT NULL
        );
        CREATE INDEX sightings_by_alert ON sightings(alert_id, seen_at);
        CREATE TABLE reinforcements (
            id TEXT PRIMARY KEY,
            alert_id TEXT,
            from_region TEXT,
            to_region TEXT,
            units INTEGER,
            kind TEXT,
            rendezvous TEXT,
            requested_at TEXT,
            status TEXT NOT NULL DEFAULT 'open',
            dispatched_units INTEGER,
            eta TEXT,
            reason TEXT,
            answered_at TEXT
        );
        CREATE INDEX reinforcements_by_alert ON reinforcements(alert_id)
        """,
    ),
    ("alerts-002-agency", "ALTER TABLE alerts ADD COLUMN agency TEXT"),
    (
        "alerts-003-inboxes",
        """
        CREATE INDEX alerts_by_ack_due ON alerts(ack_due, id) WHERE status = 'active';
        CREATE INDEX acks_awaited ON alert_acks(region, alert_id) WHERE acknowledged_at IS NULL;
        ALTER TABLE reinforcements ADD COLUMN pending_rank INTEGER
            GENERATED ALWAYS AS (CASE status WHEN 'open' THEN 0 ELSE 1 END) VIRTUAL;
        CREATE INDEX reinforcements_inbox ON reinforcements(to_region, pending_rank, requested_at, id)
        """,
    ),
    # What /metrics counts at every scrape, from indexes that hold only the rows counted.
    (
        "alerts-004-counted",
        """
        CREATE INDEX alerts_active_counted ON alerts(status, severity, origin_region, category) WHERE status = 'active';
        CREATE INDEX reinforcements_open ON reinforcements(status) WHERE status = 'open'
        """,
    ),
    # Each list filter answered from an index in the list's order (newest raised first; requests pending
    # first, oldest first), so a page reads a page of rows whatever the store holds
    # (tests/flows/test_query_plans.py). The open requests' count reads reinforcements_by_status.
    (
        "alerts-005-lists",
        """
        CREATE INDEX alerts_by_status ON alerts(status, raised_at DESC, id DESC);
        CREATE INDEX alerts_by_severity ON alerts(severity, raised_at DESC, id DESC);
        CREATE INDEX alerts_by_category ON alerts(category, raised_at DESC, id DESC);
        CREATE INDEX alerts_by_origin ON alerts(origin_region, raised_at DESC, id DESC);
        CREATE INDEX alerts_origin_status ON alerts(origin_region, status, raised_at DESC, id DESC);
        CREATE INDEX alerts_status_severity ON alerts(status, severity, raised_at DESC, id DESC);
        CREATE INDEX reinforcements_pending_first ON reinforcements(pending_rank, requested_at, id);
        CREATE INDEX reinforcements_by_status ON reinforcements(status, pending_rank, requested_at, id);
        CREATE INDEX reinforcements_to_status ON reinforcements(to_region, status, pending_rank, requested_at, id);
        DROP INDEX reinforcements_open
        """,
    ),
]

_JSON = ("location", "subjects", "targets")
_ACK_COLUMNS = ", ".join(Acknowledgement.model_fields)  # what an alert shows of each target's acknowledgement


def get(conn: sqlite3.Connection, alert_id: str) -> AlertRow | None:
    row = conn.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()
    return cast(AlertRow, records.decode_json_columns(row, _JSON)) if row else None


def set_ack_due(conn: sqlite3.Connection, alert_id: str, region: str, due_at: datetime) -> None:
    conn.execute(
        "INSERT INTO alert_acks(alert_id, region, due_at) VALUES (?, ?, ?) "
        "ON CONFLICT(alert_id, region) DO UPDATE SET due_at = excluded.due_at",
        (alert_id, region, to_db(due_at)),
    )


def record_ack(conn: sqlite3.Connection, alert_id: str, region: str, at: datetime, by: str | None) -> bool:
    """First acknowledgement wins. True if this one was recorded."""
    cursor = conn.execute(
        "INSERT INTO alert_acks(alert_id, region, acknowledged_at, acknowledged_by) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(alert_id, region) DO UPDATE SET acknowledged_at = excluded.acknowledged_at, "
        "acknowledged_by = excluded.acknowledged_by WHERE alert_acks.acknowledged_at IS NULL",
        (alert_id, region, to_db(at), by),
    )
    return cursor.rowcount > 0


def record_escalation(conn: sqlite3.Connection, alert_id: str, region: str, at: datetime) -> None:
    conn.execute(
        "INSERT INTO alert_acks(alert_id, region, escalated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(alert_id, region) DO UPDATE SET "
        "escalated_at = coalesce(alert_acks.escalated_at, excluded.escalated_at)",
        (alert_id, region, to_db(at)),
    )


def acks(conn: sqlite3.Connection, alert_id: str) -> list[AckRow]:
    rows = conn.execute(f"SELECT {_ACK_COLUMNS} FROM alert_acks WHERE alert_id = ? ORDER BY region", (alert_id,))
    return [cast(AckRow, records.as_dict(r)) for r in rows]


def pending_escalations(conn: sqlite3.Connection, origin: str, now: datetime) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT k.alert_id, k.region, k.due_at FROM alert_acks k JOIN alerts a ON a.id = k.alert_id "
        "WHERE a.origin_region = ? AND a.status = 'active' AND k.acknowledged_at IS NULL "
        "AND k.escalated_at IS NULL AND k.due_at < ?",
        (origin, to_db(now)),
    ).fetchall()


def expiring(conn: sqlite3.Connection, origin: str, now: datetime) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, version FROM alerts WHERE origin_region = ? AND status = 'active' AND valid_until <= ?",
        (origin, to_db(now)),
    ).fetchall()


def add_sighting(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    records.insert(conn, "sightings", values, or_ignore=True)


def sightings(conn: sqlite3.Connection, alert_id: str) -> list[SightingRow]:
    rows = conn.execute("SELECT * FROM sightings WHERE alert_id = ? ORDER BY seen_at", (alert_id,))
    return [cast(SightingRow, records.decode_json_columns(r, ("location",))) for r in rows]


def _reinforcement(row: sqlite3.Row) -> ReinforcementRow:
    item = {k: v for k, v in records.as_dict(row).items() if k != "pending_rank"}  # the sort key stays here
    return cast(ReinforcementRow, item)


def get_reinforcement(conn: sqlite3.Connection, request_id: str) -> ReinforcementRow | None:
    row = conn.execute("SELECT * FROM reinforcements WHERE id = ?", (request_id,)).fetchone()
    return _reinforcement(row) if row else None


def asked_regions(conn: sqlite3.Connection, alert_id: str) -> set[str]:
    """Regions asked for reinforcement on an alert: they take part in it beside its targets."""
    rows = conn.execute("SELECT DISTINCT to_region FROM reinforcements WHERE alert_id = ?", (alert_id,))
    return {r[0] for r in rows if r[0]}


def reinforcements(conn: sqlite3.Connection, alert_id: str) -> list[ReinforcementRow]:
    return [
        _reinforcement(r)
        for r in conn.execute("SELECT * FROM reinforcements WHERE alert_id = ? ORDER BY requested_at", (alert_id,))
    ]


def search(
    conn: sqlite3.Connection, filters: dict[str, Any], limit: int, cursor: str | None, region: str
) -> dict[str, Any]:
    """Newest first; `awaiting_ack`: the active alerts `region` has still to acknowledge, soonest due first."""
    target = filters.get("target")
    awaiting = filters.get("awaiting_ack")
    conditions = [
        ("status = ?", None if awaiting else filters.get("status")),
        ("status = 'active' AND ? IS NOT NULL", awaiting or None),  # as the inbox's partial index says it
        ("severity = ?", filters.get("severity")),
        ("category = ?", filters.get("category")),
        ("origin_region = ?", filters.get("origin")),
        ("EXISTS (SELECT 1 FROM json_each(alerts.targets) WHERE json_each.value = ?)", target),
        ("raised_at >= ?", filters.get("raised_from")),
        ("raised_at < ?", filters.get("raised_to")),
        (_AWAITED, region if awaiting else None),
    ]
    if awaiting:
        # The active alerts in deadline order (a partial index of the active ones only), each checked for an
        # acknowledgement awaited from `region`: the walk never leaves the active alerts, however many closed.
        table = "alerts INDEXED BY alerts_by_ack_due"
        return records.search(conn, table, conditions, "ack_due", limit, cursor, _listed, ascending=True)
    return records.search(conn, "alerts", conditions, "raised_at", limit, cursor, _listed)


_AWAITED = (
    "EXISTS (SELECT 1 FROM alert_acks k WHERE k.alert_id = alerts.id AND k.region = ? AND k.acknowledged_at IS NULL)"
)


def awaited_by(conn: sqlite3.Connection, region: str, alert_ids: list[str]) -> set[str]:
    """Which of these alerts `region` has still to acknowledge."""
    rows = conn.execute(
        "SELECT alert_id FROM alert_acks WHERE region = ? AND acknowledged_at IS NULL "
        "AND alert_id IN (SELECT value FROM json_each(?))",
        (region, orjson.dumps(alert_ids).decode()),
    )
    return {r[0] for r in rows}


def search_reinforcements(
    conn: sqlite3.Connection, filters: dict[str, Any], limit: int, cursor: str | None
) -> dict[str, Any]:
    """Pending (open) requests first, oldest first within each: what waits longest is answered first."""
    conditions = [("to_region = ?", filters.get("to_region")), ("status = ?", filters.get("status"))]
    order = ("pending_rank", "requested_at")
    found = records.search(conn, "reinforcements", conditions, order, limit, cursor, records.as_dict, ascending=True)
    return {**found, "items": [{k: v for k, v in r.items() if k != "pending_rank"} for r in found["items"]]}


def _listed(row: sqlite3.Row) -> dict[str, Any]:
    """A list row: targets are read (who is involved); the other JSON columns are only passed on."""
    return records.decode_json_columns(records.embed_json_columns(row, ("location", "subjects")), ("targets",))


def active_counts(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT severity, origin_region, category, count(*) AS n FROM alerts WHERE status = 'active' "
        "AND severity IS NOT NULL GROUP BY severity, origin_region, category"
    ).fetchall()


def unacknowledged_overdue(conn: sqlite3.Connection, origin: str, now: datetime) -> list[sqlite3.Row]:
    """This region's active alerts whose deadline a target let pass unacknowledged, by severity and target
    (from the active alerts, few, to their acknowledgement rows by key)."""
    return conn.execute(
        "SELECT a.severity, k.region AS target, count(*) AS n FROM alerts a CROSS JOIN alert_acks k "
        "ON k.alert_id = a.id WHERE a.status = 'active' AND a.severity IS NOT NULL AND a.origin_region = ? "
        "AND k.acknowledged_at IS NULL AND k.due_at < ? GROUP BY 1, 2",
        (origin, to_db(now)),
    ).fetchall()


def open_reinforcements(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM reinforcements WHERE status = 'open'").fetchone()[0]
