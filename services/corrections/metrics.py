"""Corrections metrics. Labels are regions, types, statuses and kinds: never a name or an ID number."""

from __future__ import annotations

from prometheus_client import Gauge

from services.corrections import store as db
from shared.entrypoints.runtime import Runtime

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
    counted = db.gauges(conn, region)
    for row in counted["subjects"]:
        SUBJECTS.labels(region, row["home_region"], row["status"], row["correction_type"]).set(row["n"])
    TRAVELS.labels(region).set(counted["travelling"])
    TRANSFERS.labels(region).set(counted["transfers_pending"])
    OVERDUE.labels(region).set(counted["report_ins_overdue"])
    for row in counted["violations"]:
        VIOLATIONS.labels(region, row["kind"]).set(row["n"])
