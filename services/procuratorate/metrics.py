"""Procuratorate metrics: referrals and assistance requests of this office by status, those the other
region has let pass their deadline, and deliveries still lacking a receipt past theirs (labelled by the
region that must act: deploy/prometheus/rules/procuratorate.yml tells its duty desk)."""

from __future__ import annotations

from prometheus_client import Gauge

from services.procuratorate import store as db
from shared.entrypoints.runtime import Runtime

REFERRALS = Gauge("yrd_procuratorate_referrals", "Referrals sent by this office, by status", ["region", "status"])
ASSISTANCE = Gauge(
    "yrd_procuratorate_assistance_requests", "Assistance requests of this office, by status", ["region", "status"]
)
OVERDUE = Gauge(
    "yrd_procuratorate_overdue",
    "This office's referrals undecided and requests unanswered past their deadline, by the region asked",
    ["region", "counterpart", "kind"],
)
RECEIPTS_MISSING = Gauge(
    "yrd_procuratorate_receipts_missing",
    "This office's deliveries still lacking a receipt past their deadline, by recipient and missing step",
    ["region", "recipient", "missing"],
)

_OVERDUE = {
    "referral": "SELECT to_region, count(*) FROM referrals WHERE from_region = ? AND status = 'referred' "
    "AND overdue_flagged = 1 GROUP BY 1",
    "assistance": "SELECT asked_region, count(*) FROM assistance WHERE requesting_region = ? AND status = ? "
    "AND overdue_flagged = 1 GROUP BY 1",
}


def refresh(runtime: Runtime) -> None:
    region = runtime.settings.region.value
    conn = runtime.store.connect()
    for gauge in (REFERRALS, ASSISTANCE, OVERDUE, RECEIPTS_MISSING):
        gauge.clear()
    for status, n in conn.execute(
        "SELECT status, count(*) FROM referrals WHERE from_region = ? GROUP BY status", (region,)
    ):
        REFERRALS.labels(region, status).set(n)
    for status, n in conn.execute(
        "SELECT status, count(*) FROM assistance WHERE requesting_region = ? GROUP BY status", (region,)
    ):
        ASSISTANCE.labels(region, status).set(n)
    for counterpart, n in conn.execute(_OVERDUE["referral"], (region,)):
        OVERDUE.labels(region, counterpart, "referral").set(n)
    for status in ("requested", "assigned"):  # each open status from its index
        for counterpart, n in conn.execute(_OVERDUE["assistance"], (region, status)):
            OVERDUE.labels(region, counterpart, "assistance").inc(n)
    for row in db.still_missing(conn, region):
        RECEIPTS_MISSING.labels(region, row["recipient_region"], row["missing"]).set(row["n"])
