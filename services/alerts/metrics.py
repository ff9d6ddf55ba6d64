"""Alerts metrics: active alerts, time to acknowledge, escalations, open reinforcement requests."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import Counter, Gauge, Histogram

from services.alerts import store as db
from shared.contracts.regions import Region
from shared.entrypoints.runtime import Runtime

ACTIVE = Gauge("yrd_alerts_active", "Active alerts in the read model", ["region", "severity", "origin", "category"])
TIME_TO_ACK = Histogram(
    "yrd_alert_ack_seconds",
    "Time from raising to a target's acknowledgement (observed by the owner)",
    ["region", "severity", "responder"],
    buckets=(5, 15, 30, 60, 120, 300, 900, 1800, 3600, 7200),
)
ESCALATIONS = Counter("yrd_alert_escalations_total", "Targets escalated for a missed deadline", ["region", "target"])
UNACKNOWLEDGED_OVERDUE = Gauge(
    "yrd_alerts_unacknowledged_overdue",
    "This region's active alerts a target has not acknowledged by its deadline, by severity and target",
    ["region", "severity", "target"],
)
OPEN_REINFORCEMENTS = Gauge("yrd_alert_reinforcements_open", "Reinforcement requests not yet answered", ["region"])


def refresh(runtime: Runtime) -> None:
    region = runtime.settings.region.value
    conn = runtime.store.connect()
    ACTIVE.clear()
    for row in db.active_counts(conn):
        ACTIVE.labels(region, row["severity"], row["origin_region"], row["category"]).set(row["n"])
    UNACKNOWLEDGED_OVERDUE.clear()
    for row in db.unacknowledged_overdue(conn, region, datetime.now(UTC)):
        UNACKNOWLEDGED_OVERDUE.labels(region, row["severity"], row["target"]).set(row["n"])
    OPEN_REINFORCEMENTS.labels(region).set(db.open_reinforcements(conn))


def start_counting(region: Region) -> None:
    """Escalations toward every other region start at 0, so Prometheus counts the first one too."""
    for target in Region:
        if target is not region:
            ESCALATIONS.labels(region.value, target.value)
