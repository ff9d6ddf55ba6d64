"""Record pages: which route reads each kind of record, how its fields are shown (enums in words), the
nested lists it carries and the commands each nested row offers (answer a reinforcement, accept a transfer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.contracts.regions import ZONE_TZ, Domain

F, A, C, N, E = Domain.FILING, Domain.ALERTS, Domain.CORRECTIONS, Domain.NOTARY, Domain.ENFORCEMENT


@dataclass(frozen=True)
class RecordSpec:
    domain: Domain
    path: str
    status_enum: str
    title_key: str


RECORDS = {
    "filing": RecordSpec(F, "/v1/filings/{}", "FilingStatus", "filings"),
    "alert": RecordSpec(A, "/v1/alerts/{}", "AlertStatus", "alerts"),
    "subject": RecordSpec(C, "/v1/subjects/{}", "SubjectStatus", "subjects"),
    "certificate": RecordSpec(N, "/v1/certificates/{}", "CertificateStatus", "certificates"),
    "proof": RecordSpec(N, "/v1/proof-requests/{}", "ProofStatus", "proofs"),
    "decision": RecordSpec(E, "/v1/decisions/{}", "DecisionStatus", "decisions"),
    "benchmark": RecordSpec(E, "/v1/benchmarks/{}", "BenchmarkStatus", "benchmarks"),
}
# The sensitive reads a record page offers: the route, the purposes a person chooses from (audited where
# the data is held; the API refuses a role or purpose it does not allow).
SENSITIVE = {
    "filing": ("/v1/filings/{}/parties", ("case-filing", "case-review")),
    "certificate": ("/v1/certificates/{}/applicant", ("notarization",)),
    "subject": ("/v1/subjects/{}/detail", ("supervision", "transfer-handover")),
    "proof": ("/v1/proof-requests/{}/subject", ("notarization",)),
    "decision": ("/v1/decisions/{}/party", ("law-enforcement",)),
}
NESTED_ACTIONS = {"reinforcement_requests": "reinforcement", "transfers": "transfer", "travels": "travel"}
HIDDEN = {"timeline", "version", "filing_code"}

KEY_ENUMS = {
    "case_type": "CaseType", "severity": "Severity", "category": "Category", "action": "RequestedAction",
    "matter": "Matter", "proof_type": "ProofType", "correction_type": "CorrectionType", "risk_level": "RiskLevel",
    "gender": "gender", "result": "VerificationResult", "kind": "kind", "role": "role", "outcome": "outcome",
    "destination": "Region", "targets": "Region", "purpose_class": "Purpose", "tier": "Tier", "harm": "Harm",
    "scope": "BenchmarkScope", "factor": "factor", "op": "op", "multiple_of": "multiple_of", "vote": "vote",
}  # fmt: skip


def when(value: Any) -> str:
    """A moment the API gives (ISO 8601 with an offset) in Beijing time, to the second; else as it is."""
    if not isinstance(value, str) or len(value) < 19 or "T" not in value:
        return "—" if value in (None, "") else str(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(ZONE_TZ).strftime("%Y-%m-%d %H:%M:%S") if moment.tzinfo else value


def enum_of(key: str, status_enum: str = "status") -> str | None:
    if key == "status":
        return status_enum
    if key.endswith("region") or key in ("origin", "home"):
        return "Region"
    return KEY_ENUMS.get(key)


def shown(key: str, value: Any, word, status_enum: str = "status") -> str:
    """A field's value as words: an enum's words, a list of them joined, yes/no, a dash for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return word("bool", value)
    enum = enum_of(key, status_enum)
    if isinstance(value, list):
        return "、".join(shown(key, v, word, status_enum) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{word('label', k)}: {shown(k, v, word)}" for k, v in value.items() if v is not None)
    return word(enum, value) if enum else when(value)


def split(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """A record's plain fields, and its nested lists (parties, sightings, transfers...) apart."""
    plain, nested = {}, {}
    for key, value in record.items():
        if key in HIDDEN:
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            nested[key] = value
        else:
            plain[key] = value
    return plain, nested
