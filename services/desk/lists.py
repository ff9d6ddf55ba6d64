"""The search pages: which list route each reads, its filters (as form fields), the columns shown (an
enum column shown in words), the purposes a person chooses from where the API asks for one, and the record
page each row links to."""

from __future__ import annotations

from dataclasses import dataclass

from services.desk.fields import Field
from shared.contracts.regions import Domain

F, A, C, N, E = Domain.FILING, Domain.ALERTS, Domain.CORRECTIONS, Domain.NOTARY, Domain.ENFORCEMENT
AUDITED = tuple(d.value for d in Domain if d.is_service)  # every service answers GET /v1/audit


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    enum: str | None = None


@dataclass(frozen=True)
class ListSpec:
    name: str  # a text key: the page's heading
    domain: Domain
    path: str
    columns: tuple[Column, ...]
    filters: tuple[Field, ...]
    link: str  # the record page of a row, by its first column's value
    purposes: tuple[str, ...] = ()


def _opt(name: str, label: str, kind: str = "text", enum: str | None = None) -> Field:
    return Field(name, label, kind, enum, required=False)


FILING_COLUMNS = (
    Column("id", "id"), Column("docket_number", "docket_number"), Column("court_region", "court_region", "Region"),
    Column("receiving_region", "receiving_region", "Region"), Column("case_type", "case_type", "CaseType"),
    Column("status", "status", "FilingStatus"), Column("submitted_at", "submitted_at"),
    Column("decision_due", "decision_due"), Column("correction_deadline", "correction_deadline"),
)  # fmt: skip

LISTS: dict[str, ListSpec] = {
    s.name: s
    for s in (
        ListSpec("filings", F, "/v1/filings", FILING_COLUMNS, (
            _opt("docket_number", "docket_number"), _opt("status", "status", "select", "FilingStatus"),
            _opt("court_region", "court_region", "select", "Region"),
            _opt("receiving_region", "receiving_region", "select", "Region"),
            _opt("case_type", "case_type", "select", "CaseType"),
            _opt("submitted_from", "submitted_from", "datetime"), _opt("submitted_to", "submitted_to", "datetime"),
        ), "/filings/{}"),
        ListSpec("party_filings", F, "/v1/filings", FILING_COLUMNS, (
            Field("party_id_number", "id_number"),
        ), "/filings/{}", purposes=("case-filing", "case-review")),
        ListSpec("alerts", A, "/v1/alerts", (
            Column("id", "id"), Column("title", "title"), Column("severity", "severity", "Severity"),
            Column("category", "category", "Category"), Column("origin_region", "origin_region", "Region"),
            Column("status", "status", "AlertStatus"), Column("raised_at", "raised_at"), Column("ack_due", "ack_due"),
            Column("awaiting_my_ack", "awaiting_ack", "bool"),
        ), (
            _opt("status", "status", "select", "AlertStatus"), _opt("severity", "severity", "select", "Severity"),
            _opt("category", "category", "select", "Category"), _opt("origin", "origin_region", "select", "Region"),
            _opt("raised_from", "since", "datetime"), _opt("raised_to", "until", "datetime"),
        ), "/alerts/{}"),
        ListSpec("reinforcements", A, "/v1/reinforcement-requests", (
            Column("alert_id", "id"), Column("from_region", "from_region", "Region"),
            Column("to_region", "to_region", "Region"), Column("units", "units"), Column("kind", "unit_kind"),
            Column("status", "status", "status"), Column("requested_at", "requested_at"),
        ), (_opt("to_region", "to_region", "select", "Region"),), "/alerts/{}"),
        ListSpec("subjects", C, "/v1/subjects", (
            Column("id", "id"), Column("name_masked", "name"), Column("id_masked", "id_number"),
            Column("home_region", "home_region", "Region"),
            Column("correction_type", "correction_type", "CorrectionType"),
            Column("risk_level", "risk_level", "RiskLevel"), Column("status", "status", "SubjectStatus"),
            Column("report_in_due", "report_in_due"),
        ), (
            _opt("status", "status", "select", "SubjectStatus"),
            _opt("correction_type", "correction_type", "select", "CorrectionType"),
            _opt("home_region", "home_region", "select", "Region"),
            _opt("risk_level", "risk_level", "select", "RiskLevel"),
        ), "/subjects/{}"),
        ListSpec("certificates", N, "/v1/certificates", (
            Column("number", "number"), Column("issuer_region", "issuer_region", "Region"),
            Column("matter", "matter", "Matter"), Column("applicant_name", "applicant_name"),
            Column("status", "status", "CertificateStatus"), Column("issued_at", "issued_at"),
        ), (
            _opt("issuer_region", "issuer_region", "select", "Region"), _opt("matter", "matter", "select", "Matter"),
            _opt("status", "status", "select", "CertificateStatus"),
        ), "/certificates/{}"),
        ListSpec("proofs", N, "/v1/proof-requests", (
            Column("id", "id"), Column("requesting_region", "requesting_region", "Region"),
            Column("holding_region", "holding_region", "Region"), Column("proof_type", "proof_type", "ProofType"),
            Column("status", "status", "ProofStatus"), Column("due_at", "due_at"),
        ), (
            _opt("holding_region", "holding_region", "select", "Region"),
            _opt("proof_type", "proof_type", "select", "ProofType"), _opt("status", "status", "select", "ProofStatus"),
        ), "/proof-requests/{}"),
        ListSpec("verifications", N, "/v1/verifications", (
            Column("number", "certificate_number"), Column("verifier_region", "verifier_region", "Region"),
            Column("issuer_region", "issuer_region", "Region"), Column("result", "result", "VerificationResult"),
            Column("verified_at", "verified_at"),
        ), (
            _opt("certificate_number", "certificate_number"),
            _opt("result", "result", "select", "VerificationResult"),
        ), "/certificates/{}"),
        ListSpec("decisions", E, "/v1/decisions", (
            Column("id", "id"), Column("decided_region", "decided_region", "Region"), Column("code", "code"),
            Column("tier", "tier", "Tier"), Column("fine_yuan", "fine_yuan"),
            Column("within_range", "within_range", "bool"), Column("status", "status", "DecisionStatus"),
            Column("violation_date", "violation_date"), Column("decided_at", "decided_at"),
        ), (
            _opt("decided_region", "decided_region", "select", "Region"), _opt("code", "code"),
            _opt("tier", "tier", "select", "Tier"), _opt("status", "status", "select", "DecisionStatus"),
        ), "/decisions/{}"),
        ListSpec("benchmarks", E, "/v1/benchmarks", (
            Column("id", "id"), Column("code", "code"), Column("name", "name"),
            Column("owner_region", "owner_region", "Region"), Column("scope", "scope", "BenchmarkScope"),
            Column("version", "version"), Column("status", "status", "BenchmarkStatus"),
            Column("effective_from", "effective_from"),
        ), (
            _opt("code", "code"), _opt("owner_region", "owner_region", "select", "Region"),
            _opt("status", "status", "select", "BenchmarkStatus"),
        ), "/benchmarks/{}"),
        ListSpec("audit", F, "/v1/audit", (
            Column("index", "id"), Column("at", "at"), Column("actor", "actor"), Column("region", "region", "Region"),
            Column("action", "action"), Column("record", "record_id"), Column("purpose", "purpose", "Purpose"),
            Column("decision", "decision"),
        ), (
            Field("service", "service", "select", "Domain", required=False, choices=AUDITED),
            _opt("record", "record_id"), _opt("actor", "actor"),
            _opt("since", "since", "datetime"), _opt("until", "until", "datetime"),
        ), "", purposes=("audit-review", "data-subject-request")),
    )
}  # fmt: skip

# Which lists a role is offered in the navigation (the API decides what each shows).
BY_ROLE = {
    "window_clerk": ("filings", "party_filings", "verifications"),
    "court_officer": ("filings", "party_filings"),
    "police_officer": ("alerts", "reinforcements"),
    "corrections_officer": ("subjects",),
    "notary": ("certificates", "proofs", "verifications"),
    "enforcement_officer": ("decisions", "benchmarks"),
    "enforcement_legal": ("decisions", "benchmarks"),
    "supervisor": ("audit", "filings", "alerts", "subjects", "certificates"),
}
