"""Who owns an alert: the origin region decides it (updates, closure, escalation); its targets, and the
regions asked for reinforcement, take part (they read it and report on it). Only targets acknowledge."""

from __future__ import annotations

import sqlite3

from services.alerts import store as db
from services.alerts.rows import ReinforcementRow
from shared.rules.ownership import Record, RecordKind


def targeted(alert: Record, region: str) -> bool:
    return region in alert["targets"]


def _takes_part(conn: sqlite3.Connection, alert: Record, region: str) -> bool:
    return targeted(alert, region) or region in db.asked_regions(conn, alert["id"])


ALERT = RecordKind("alert", owner_field="origin_region", takes_part=_takes_part, agency_fields=("agency",))


def asked(request: ReinforcementRow, region: str) -> bool:
    """A reinforcement request is answered by the region it asks."""
    return request["to_region"] == region
