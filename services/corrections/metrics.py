"""Corrections metrics. Labels are regions, types, statuses and kinds: never a name or an ID number."""

from __future__ import annotations

from prometheus_client import Gauge

from services.corrections import store as db
from shared.runtime import Runtime

SUBJECTS = Gauge("yrd_corrections_subjects", "Subjects in the read model", ["region", "home", "status", "type"])
TRAVELS = Gauge("yrd_corrections_travels_in_progress", "Approved travels not yet returned", ["region"])
TRANSFERS = Gauge("yrd_corrections_transfers_pending", "Transfers awaiting the destination's decision", ["region"])
OVERDUE = Gauge("yrd_corrections_report_in_overdue", "This region's subjects past their report-in deadline", ["region"])
VIOLATIONS = Gauge("yrd_corrections_violations", "Violations reported, by kind", ["region", "kind"])


def refresh(runtime: Runtime) -> None:
    region = runtime.settings.region.value
    conn = runtime.store.connect()
    SUBJECTS.clear()
    VIOLATIONS.clear()
    sql = "SELECT home_region, status, correction_type, count(*) n FROM subjects WHERE home_region IS NOT NULL "
    for row in db.counts(conn, sql + "GROUP BY 1, 2, 3"):
        SUBJECTS.labels(region, row["home_region"], row["status"], row["correction_type"]).set(row["n"])
    TRAVELS.labels(region).set(db.counts(conn, "SELECT count(*) FROM travels WHERE status != 'returned'")[0][0])
    TRANSFERS.labels(region).set(db.counts(conn, "SELECT count(*) FROM transfers WHERE status = 'pending'")[0][0])
    overdue = "SELECT count(*) FROM subjects WHERE home_region = ? AND overdue_flagged = 1 AND status = 'enrolled'"
    OVERDUE.labels(region).set(db.counts(conn, overdue, region)[0][0])
    for row in db.counts(conn, "SELECT kind, count(*) n FROM violations GROUP BY kind"):
        VIOLATIONS.labels(region, row["kind"]).set(row["n"])
