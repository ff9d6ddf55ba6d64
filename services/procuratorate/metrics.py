"""Procuratorate metrics: referrals and assistance requests of this office by status, the overdue ones,
and deliveries whose receipts are missing past their deadline."""

from __future__ import annotations

from prometheus_client import Gauge

from shared.entrypoints.runtime import Runtime

REFERRALS = Gauge("yrd_procuratorate_referrals", "Referrals sent by this office, by status", ["region", "status"])
ASSISTANCE = Gauge(
    "yrd_procuratorate_assistance_requests", "Assistance requests of this office, by status", ["region", "status"]
)
OVERDUE = Gauge(
    "yrd_procuratorate_overdue", "This office's referrals and requests flagged past their deadline", ["region", "kind"]
)
RECEIPTS_MISSING = Gauge(
    "yrd_procuratorate_receipts_missing", "This office's deliveries flagged for a missing receipt", ["region"]
)


def refresh(runtime: Runtime) -> None:
    region = runtime.settings.region.value
    conn = runtime.store.connect()
    REFERRALS.clear()
    ASSISTANCE.clear()
    for status, n in conn.execute(
        "SELECT status, count(*) FROM referrals WHERE from_region = ? GROUP BY status", (region,)
    ):
        REFERRALS.labels(region, status).set(n)
    for status, n in conn.execute(
        "SELECT status, count(*) FROM assistance WHERE requesting_region = ? GROUP BY status", (region,)
    ):
        ASSISTANCE.labels(region, status).set(n)
    overdue = {
        "referral": "SELECT count(*) FROM referrals WHERE from_region = ? AND status = 'referred' "
        "AND overdue_flagged = 1",
        "assistance": "SELECT count(*) FROM assistance WHERE requesting_region = ? AND status != 'answered' "
        "AND overdue_flagged = 1",
    }
    for kind, sql in overdue.items():
        OVERDUE.labels(region, kind).set(conn.execute(sql, (region,)).fetchone()[0])
    flagged = conn.execute(
        "SELECT count(*) FROM receipt_flags f JOIN receipts r ON r.record_id = f.record_id "
        "AND r.recipient_region = f.recipient_region AND r.kind = 'submitted' WHERE r.sender_region = ?",
        (region,),
    )
    RECEIPTS_MISSING.labels(region).set(flagged.fetchone()[0])
