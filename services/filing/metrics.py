"""Filing metrics: counts by status and region pair, overdue decisions, time to decision."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import Gauge, Histogram

from services.filing import store as db
from shared.entrypoints.runtime import Runtime

FILINGS = Gauge(
    "yrd_filings", "Filings in the read model", ["region", "status", "court_region", "receiving_region", "case_type"]
)
OVERDUE = Gauge("yrd_filings_overdue", "Filings of this court past the 7-day decision deadline", ["region"])
TIME_TO_DECISION = Histogram(
    "yrd_filing_decision_seconds",
    "Time from submission to the court's decision",
    ["region", "decision"],
    buckets=(60, 600, 3600, 6 * 3600, 86400, 3 * 86400, 7 * 86400, 14 * 86400),
)


def refresh(runtime: Runtime) -> None:
    region = runtime.settings.region.value
    conn = runtime.store.connect()
    FILINGS.clear()
    for row in db.counts(conn):
        FILINGS.labels(region, row["status"], row["court_region"], row["receiving_region"], row["case_type"]).set(
            row["n"]
        )
    OVERDUE.labels(region).set(db.overdue_count(conn, region, datetime.now(UTC)))
