"""Notary metrics: certificates issued and revoked, verifications by result and region, proof requests by
type and outcome, answer time, and proofs satisfied by data sharing (the paper they replace)."""

from __future__ import annotations

from prometheus_client import Gauge, Histogram

from services.notary import store as db
from shared.entrypoints.runtime import Runtime

CERTIFICATES = Gauge("yrd_notary_certificates", "Certificates issued by this region, by status", ["region", "status"])
VERIFICATIONS = Gauge("yrd_notary_verifications", "Verifications known here", ["region", "verifier", "result"])
REVOKED_AFTER_VERIFICATION = Gauge(
    "yrd_notary_revoked_after_verification",
    "Verifications of this region's certificates made before they were revoked: verifiers the revocation reached",
    ["region", "verifier"],
)
PROOF_REQUESTS = Gauge("yrd_notary_proof_requests", "Proof requests of this office", ["region", "proof_type", "status"])
PROOFS_SHARED = Gauge(
    "yrd_notary_proofs_by_data_sharing", "Proofs provided through the system instead of paper", ["region"]
)
PROOFS_OVERDUE = Gauge(
    "yrd_notary_proof_requests_overdue", "This office's proof requests unanswered past their deadline", ["region"]
)
PROOFS_OVERDUE_BY_HOLDER = Gauge(
    "yrd_notary_proof_requests_overdue_by_holder",
    "This office's proof requests unanswered past their deadline, by the region holding the proof",
    ["region", "holder"],
)
ANSWER_SECONDS = Histogram(
    "yrd_notary_proof_answer_seconds",
    "Time from a proof request to its answer",
    ["region", "proof_type", "outcome"],
    buckets=(60, 600, 3600, 4 * 3600, 86400, 2 * 86400, 3 * 86400, 7 * 86400),
)


def refresh(runtime: Runtime) -> None:
    region = runtime.settings.region.value
    conn = runtime.store.connect()
    for gauge in (CERTIFICATES, VERIFICATIONS, PROOF_REQUESTS, REVOKED_AFTER_VERIFICATION, PROOFS_OVERDUE_BY_HOLDER):
        gauge.clear()
    counted = db.gauges(conn, region)
    for row in counted["certificates"]:
        CERTIFICATES.labels(region, row["status"]).set(row["n"])
    for row in counted["verifications"]:
        VERIFICATIONS.labels(region, row["verifier_region"], row["result"]).set(row["n"])
    for row in counted["revoked_after_verification"]:
        REVOKED_AFTER_VERIFICATION.labels(region, row["verifier_region"]).set(row["n"])
    for row in counted["proof_requests"]:
        PROOF_REQUESTS.labels(region, row["proof_type"], row["status"]).set(row["n"])
    PROOFS_SHARED.labels(region).set(counted["proofs_shared"])
    PROOFS_OVERDUE.labels(region).set(counted["proofs_overdue"])
    for row in counted["proofs_overdue_by_holder"]:
        PROOFS_OVERDUE_BY_HOLDER.labels(region, row["holding_region"]).set(row["n"])
