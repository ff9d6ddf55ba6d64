"""Every command a person gives at the desk, in the order a person works: which route it calls, the form's
fields, who sees it, the purposes it may be given with, and which record page it leads back to."""

from __future__ import annotations

from dataclasses import dataclass

from services.desk.fields import Field
from shared.contracts.regions import Domain

F, A, C, N, E = Domain.FILING, Domain.ALERTS, Domain.CORRECTIONS, Domain.NOTARY, Domain.ENFORCEMENT
PERSON_PARTY = ("person", "organisation")
VIOLATIONS = ("missed_report", "left_area", "prohibited_place", "new_offence", "contact_violation", "other")


@dataclass(frozen=True)
class Command:
    name: str
    domain: Domain
    method: str
    path: str  # with {id} for the record acted on
    fields: tuple[Field, ...] = ()
    roles: tuple[str, ...] = ()
    record: str | None = None  # the record page a command on one record belongs to (filing, alert, ...)
    purposes: tuple[str, ...] = ()  # X-Purpose choices; empty: none asked
    result: str | None = None  # the record page the answer leads to, by the answer's id field


def _location(prefix: str = "location") -> tuple[Field, ...]:
    return (
        Field(f"{prefix}.address", "address"),
        Field(f"{prefix}.lat", "lat", "number"),
        Field(f"{prefix}.lon", "lon", "number"),
    )


def _party(index: int, role: str) -> tuple[Field, ...]:
    p = f"parties.{index}"
    return (
        Field(f"{p}.role", "party_role", "select", "role", choices=(role,)),
        Field(f"{p}.kind", "party_kind", "select", "kind", choices=PERSON_PARTY),
        Field(f"{p}.name", "party_name"),
        Field(f"{p}.identifier", "party_identifier"),
    )


CLERK, COURT, POLICE = ("window_clerk",), ("court_officer",), ("police_officer",)
CORR, NOTARY = ("corrections_officer",), ("notary",)
ENF_OFFICER, ENF_LEGAL = ("enforcement_officer",), ("enforcement_legal",)

COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        # Filings: the window files, the court decides, the window corrects or withdraws.
        Command("filing.submit", F, "POST", "/v1/filings", (
            Field("court_region", "court_region", "select", "Region"),
            Field("case_type", "case_type", "select", "CaseType"),
            *_party(0, "plaintiff"), *_party(1, "defendant"),
            Field("claim_summary", "claim_summary", "textarea"),
            Field("claim_amount", "claim_amount", required=False),
            Field("documents", "documents", "files"),
        ), CLERK, result="filing"),
        Command("filing.request_correction", F, "POST", "/v1/filings/{id}/request-correction", (
            Field("missing_items", "missing_items", "lines"), Field("deadline", "deadline_date", "date"),
        ), COURT, "filing", result="filing"),
        Command("filing.accept", F, "POST", "/v1/filings/{id}/accept", (), COURT, "filing", result="filing"),
        Command("filing.reject", F, "POST", "/v1/filings/{id}/reject", (Field("reason", "reason", "textarea"),),
                COURT, "filing", result="filing"),
        Command("filing.resubmit", F, "POST", "/v1/filings/{id}/resubmit", (Field("documents", "documents", "files"),),
                CLERK, "filing", result="filing"),
        Command("filing.withdraw", F, "POST", "/v1/filings/{id}/withdraw", (Field("reason", "reason", "textarea"),),
                CLERK, "filing", result="filing"),
        # Alerts: raise, acknowledge, report, ask for and answer reinforcement, update, close.
        Command("alert.raise", A, "POST", "/v1/alerts", (
            Field("category", "category", "select", "Category"),
            Field("severity", "severity", "select", "Severity"),
            Field("title", "title"), Field("description", "description", "textarea"), *_location(),
            Field("subjects.0.kind", "subject_kind", "select", "kind", choices=("person", "vehicle", "object")),
            Field("subjects.0.description", "subject_description", required=False),
            Field("subjects.0.plate", "plate", required=False),
            Field("action", "requested_action", "select", "RequestedAction"),
            Field("targets", "targets", "multi", "Region", required=False),
            Field("valid_until", "valid_until", "datetime"),
        ), POLICE, result="alert"),
        Command("alert.acknowledge", A, "POST", "/v1/alerts/{id}/ack", (), POLICE, "alert", result="alert"),
        Command("alert.sighting", A, "POST", "/v1/alerts/{id}/sightings", (
            Field("seen_at", "seen_at", "datetime"), *_location(), Field("details", "details", "textarea"),
        ), POLICE, "alert", result="alert"),
        Command("alert.reinforcement", A, "POST", "/v1/alerts/{id}/reinforcement-requests", (
            Field("to_region", "to_region", "select", "Region"), Field("units", "units", "integer"),
            Field("kind", "unit_kind"), Field("rendezvous", "rendezvous"),
        ), POLICE, "alert", result="alert"),
        Command("alert.answer_reinforcement", A, "POST", "/v1/reinforcement-requests/{id}/respond", (
            Field("outcome", "outcome", "select", "outcome", choices=("dispatched", "declined")),
            Field("units", "units", "integer", required=False), Field("eta", "eta", "datetime", required=False),
            Field("reason", "reason", required=False),
        ), POLICE, "reinforcement"),
        Command("alert.update", A, "PATCH", "/v1/alerts/{id}", (
            Field("description", "description", "textarea", required=False),
        ), POLICE, "alert", result="alert"),
        Command("alert.close", A, "POST", "/v1/alerts/{id}/close", (
            Field("outcome", "outcome", "select", "outcome", choices=("resolved", "cancelled")),
        ), POLICE, "alert", result="alert"),
        # Community corrections: enrol, report in, trips, transfers, violations, release.
        Command("subject.enrol", C, "POST", "/v1/subjects", (
            Field("id_number", "id_number"), Field("name", "name"),
            Field("gender", "gender", "select", "gender"), Field("birth_date", "birth_date", "date"),
            Field("correction_type", "correction_type", "select", "CorrectionType"),
            Field("sentence_summary", "sentence_summary", "textarea"),
            Field("judgment_effective_date", "judgment_effective_date", "date"),
            Field("start_date", "start_date", "date"), Field("end_date", "end_date", "date"),
            Field("supervising_office", "supervising_office"),
            Field("risk_level", "risk_level", "select", "RiskLevel"),
            Field("prohibitions", "prohibitions", "lines", required=False),
            Field("residence_address", "residence_address"),
        ), CORR, result="subject"),
        Command("subject.report_in", C, "POST", "/v1/subjects/{id}/report-in", (), CORR, "subject", result="subject"),
        Command("subject.travel", C, "POST", "/v1/subjects/{id}/travels", (
            Field("destination", "destination", "select", "Region"), Field("from_date", "from_date", "date"),
            Field("to_date", "to_date", "date"), Field("reason", "reason"),
        ), CORR, "subject"),
        Command("travel.check_in", C, "POST", "/v1/travels/{id}/check-in", (), CORR, "travel"),
        Command("travel.return", C, "POST", "/v1/travels/{id}/return", (), CORR, "travel"),
        Command("travel.cancel", C, "POST", "/v1/travels/{id}/cancel", (Field("reason", "reason"),), CORR, "travel"),
        Command("subject.transfer", C, "POST", "/v1/subjects/{id}/transfers", (
            Field("destination", "destination", "select", "Region"), Field("reason", "reason"),
        ), CORR, "subject"),
        Command("transfer.accept", C, "POST", "/v1/transfers/{id}/accept", (
            Field("supervising_office", "supervising_office"),
        ), CORR, "transfer", purposes=("transfer-handover",)),
        Command("transfer.reject", C, "POST", "/v1/transfers/{id}/reject", (Field("reason", "reason"),), CORR,
                "transfer"),
        Command("transfer.withdraw", C, "POST", "/v1/transfers/{id}/withdraw", (Field("reason", "reason"),), CORR,
                "transfer"),
        Command("subject.violation", C, "POST", "/v1/subjects/{id}/violations", (
            Field("kind", "violation_kind", "select", "kind",
                  choices=VIOLATIONS),
            Field("occurred_at", "occurred_at", "datetime"), Field("place", "place"),
            Field("details", "details", "textarea"),
        ), CORR, "subject", result="subject"),
        Command("subject.update", C, "PATCH", "/v1/subjects/{id}", (
            Field("residence_address", "residence_address", required=False),
            Field("supervising_office", "supervising_office", required=False),
            Field("risk_level", "risk_level", "select", "RiskLevel", required=False),
        ), CORR, "subject", result="subject"),
        Command("subject.release", C, "POST", "/v1/subjects/{id}/release", (), CORR, "subject", result="subject"),
        # Notarial certificates and proofs.
        Command("certificate.issue", N, "POST", "/v1/certificates", (
            Field("matter", "matter", "select", "Matter"), Field("applicant.name", "applicant_name"),
            Field("applicant.id_number", "id_number"), Field("document", "document", "file"),
            Field("valid_until", "valid_until", "datetime", required=False),
        ), NOTARY, result="certificate"),
        Command("certificate.verify", N, "POST", "/v1/verifications", (
            Field("certificate_number", "certificate_number"), Field("document", "document", "file"),
        ), (*NOTARY, "window_clerk", "court_officer")),
        Command("certificate.revoke", N, "POST", "/v1/certificates/{id}/revoke", (Field("reason", "reason"),), NOTARY,
                "certificate", result="certificate"),
        Command("certificate.reissue", N, "POST", "/v1/certificates/{id}/reissue", (
            Field("reason", "reason"), Field("document", "document", "file", required=False),
        ), NOTARY, "certificate", result="certificate"),
        Command("proof.request", N, "POST", "/v1/proof-requests", (
            Field("holding_region", "holding_region", "select", "Region"),
            Field("proof_type", "proof_type", "select", "ProofType"), Field("subject_name", "subject_name"),
            Field("subject_id_number", "id_number"), Field("purpose", "proof_purpose"),
            Field("application_ref", "application_ref"),
        ), NOTARY, result="proof"),
        Command("proof.answer", N, "POST", "/v1/proof-requests/{id}/respond", (
            Field("outcome", "outcome", "select", "outcome", choices=("provided", "not_found", "refused")),
            Field("summary", "summary", required=False), Field("reason", "reason", required=False),
            Field("document", "document", "file", required=False),
        ), NOTARY, "proof", result="proof"),
        # 同案同罚: an officer decides (the similar cases beside the form), legal reviewers sign off and vote.
        Command("decision.record", E, "POST", "/v1/decisions", (
            Field("code", "code", "code"), Field("violation_date", "violation_date", "date"),
            Field("factors.first_offence", "first_offence", "bool"),
            Field("factors.rectified_in_time", "rectified_in_time", "bool"),
            Field("factors.repeat_offence", "repeat_offence", "bool"),
            Field("factors.obstruction", "obstruction", "bool"),
            Field("factors.harm", "harm", "select", "Harm"),
            Field("factors.amount_yuan", "amount_yuan", "integer", required=False),
            Field("factors.illegal_gains_yuan", "illegal_gains_yuan", "integer", required=False),
            Field("factors.exceedance_ratio", "exceedance_ratio", "number", required=False),
            Field("party.kind", "party_kind", "select", "kind", choices=PERSON_PARTY),
            Field("party.name", "party_name"), Field("party.identifier", "party_identifier"),
            Field("penalty.warning", "warning", "bool"), Field("penalty.fine_yuan", "fine_yuan", "integer"),
            Field("penalty.confiscation", "confiscation", "bool"),
            Field("penalty.suspension_days", "suspension_days", "integer", required=False),
            Field("outside_reason", "outside_reason", "textarea", required=False),
            Field("case_ref", "case_ref", required=False),
        ), ENF_OFFICER, result="decision"),
        Command("decision.sign_off", E, "POST", "/v1/decisions/{id}/sign-off", (
            Field("outcome", "outcome", "select", "outcome", choices=("approved", "rejected")),
            Field("note", "sign_off_note", "textarea"),
        ), ENF_LEGAL, "decision", result="decision"),
        Command("benchmark.vote", E, "POST", "/v1/benchmarks/{id}/votes", (
            Field("version", "version", "integer"), Field("vote", "vote", "select", "vote"),
            Field("reasons", "reasons", "textarea", required=False),
        ), ENF_LEGAL, "benchmark", result="benchmark"),
    )
}  # fmt: skip

RESULT_ID = {"filing": "id", "alert": "id", "subject": "id", "certificate": "number", "proof": "id", "decision": "id",
             "benchmark": "id"}  # fmt: skip


def for_role(roles: frozenset[str], record: str | None) -> list[Command]:
    """The commands a person with these roles is offered on a record page (or, record None, to start)."""
    return [c for c in COMMANDS.values() if c.record == record and roles & set(c.roles)]
