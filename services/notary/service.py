"""Notary commands as units of work: the routes' and the requesting office's overdue scanner. What the
events do to the registry and read models is in projection.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.notary import domain
from services.notary import store as db
from services.notary.domain import RegistryEntry
from services.notary.models import AnswerProof, Reissue, Verify
from services.notary.ownership import CERTIFICATE, PROOF_ANSWER
from services.notary.queries import certificate_view, load_certificate, load_proof
from services.notary.rows import ProofRequestRow
from shared.contracts import notary as ev
from shared.contracts.commands import IssueCertificate, RequestProof
from shared.contracts.ids import new_id
from shared.contracts.notary import VerificationResult
from shared.contracts.problems import conflict, invalid
from shared.contracts.regions import REGIONS, zone_date
from shared.core.uow import UnitOfWork, now
from shared.rules.identity import mask_id, mask_name


def issue(uow: UnitOfWork, body: IssueCertificate) -> dict[str, Any]:
    uow.access.authorize_write("notary.issue")
    at = now()
    try:
        domain.check_issuable(body.valid_until, at)
    except ValueError as error:
        raise invalid("valid_until", str(error)) from None
    year = zone_date(at).year  # office years are Beijing time
    number = domain.certificate_number(year, uow.region, db.next_certificate_sequence(uow.conn, year))
    uow.access.about(number)
    data = ev.CertificateIssued(
        number=number,
        version=1,
        office=REGIONS[uow.region].notary_office_abbr,
        matter=body.matter,
        applicant_name=mask_name(body.applicant.name),
        applicant_id=mask_id(body.applicant.id_number),
        document_sha256=body.document_sha256,
        valid_until=body.valid_until,
        issued_at=at,
    )
    uow.emit(ev.CERTIFICATE_ISSUED, number, data)
    db.add_applicant(uow.conn, number, body.applicant.name, body.applicant.id_number)
    return certificate_view(uow, number)


def revoke(uow: UnitOfWork, number: str, reason: str) -> dict[str, Any]:
    certificate = load_certificate(uow, number)
    uow.access.authorize_write("notary.revoke", CERTIFICATE, certificate)
    if certificate["status"] == "revoked":
        raise conflict("the certificate is already revoked", "revoked")
    data = ev.CertificateRevoked(number=number, version=certificate["version"] + 1, reason=reason, revoked_at=now())
    uow.emit(ev.CERTIFICATE_REVOKED, number, data)
    return certificate_view(uow, number)


def reissue(uow: UnitOfWork, number: str, body: Reissue) -> dict[str, Any]:
    """Correct a certificate: a new number for the same applicant, the old one superseded and naming it."""
    old = load_certificate(uow, number)
    uow.access.authorize_write("notary.reissue", CERTIFICATE, old)
    if old["status"] in ("revoked", "superseded"):
        raise conflict(f"a {old['status']} certificate is not reissued", old["status"])
    at = now()
    kept_until = datetime.fromisoformat(old["valid_until"]) if old["valid_until"] else None
    valid_until = body.valid_until or kept_until
    try:
        domain.check_issuable(valid_until, at)
    except ValueError as error:
        raise invalid("valid_until", f"{error}: give the corrected certificate's") from None
    year = zone_date(at).year
    successor = domain.certificate_number(year, uow.region, db.next_certificate_sequence(uow.conn, year))
    uow.access.about(successor)
    issued = ev.CertificateIssued(
        number=successor,
        version=1,
        office=old["office"],
        matter=body.matter or old["matter"],
        applicant_name=old["applicant_name"],
        applicant_id=old["applicant_id"],
        document_sha256=body.document_sha256 or old["document_sha256"],
        valid_until=valid_until,
        issued_at=at,
        replaces=number,
    )
    uow.emit(ev.CERTIFICATE_ISSUED, successor, issued)
    applicant = db.applicant(uow.conn, number)
    if applicant:
        db.add_applicant(uow.conn, successor, applicant["name"], applicant["id_number"])
    superseded = ev.CertificateSuperseded(
        number=number, version=old["version"] + 1, successor=successor, reason=body.reason, superseded_at=at
    )
    uow.emit(ev.CERTIFICATE_SUPERSEDED, number, superseded)
    return certificate_view(uow, successor)


def verify(uow: UnitOfWork, body: Verify, caught_up: bool) -> dict[str, Any]:
    """Answered from the local registry, so it works while the issuing region is unreachable; the answer
    says how fresh the registry is."""
    uow.access.authorize_write("notary.verify", record_id=body.certificate_number)
    at = now()
    certificate = db.get_certificate(uow.conn, body.certificate_number, at)
    entry = None
    if certificate and certificate["issuer_region"]:
        valid_until = datetime.fromisoformat(certificate["valid_until"]) if certificate["valid_until"] else None
        entry = RegistryEntry(certificate["status"], certificate["document_sha256"], valid_until)
    result = domain.verify(entry, body.document_sha256, at)
    issuer = (
        certificate["issuer_region"]
        if certificate
        else (r.value if (r := domain.issuer_of(body.certificate_number)) else None)
    )
    data = ev.CertificateVerified(
        verification_id=new_id(),
        number=body.certificate_number,
        issuer_region=issuer,
        result=result,
        verified_at=at,
    )
    uow.emit(ev.CERTIFICATE_VERIFIED, body.certificate_number, data)
    freshness = {
        "issuer_region": issuer,
        "consumer_caught_up": caught_up,
        "last_event_from_issuer_at": db.registry_last_event(uow.conn, issuer) if issuer else None,
    }
    return {
        "verification_id": data.verification_id,
        "certificate_number": body.certificate_number,
        "result": result.value,
        "verified_at": at.isoformat(),
        "successor": certificate["superseded_by"] if result is VerificationResult.SUPERSEDED else None,
        "registry": freshness,
    }


def request_proof(uow: UnitOfWork, body: RequestProof, answer_seconds: int) -> ProofRequestRow:
    at, request_id = now(), new_id()
    uow.access.authorize_write("notary.request_proof", record_id=request_id)
    data = ev.ProofRequested(
        request_id=request_id,
        holding_region=body.holding_region.value,
        proof_type=body.proof_type,
        subject_name=mask_name(body.subject_name),
        subject_id=mask_id(body.subject_id_number),
        purpose=body.purpose,
        application_ref=body.application_ref,
        requested_at=at,
        due_at=domain.proof_due(at, answer_seconds),
        holding_agency=body.holding_agency,
    )
    uow.emit(ev.PROOF_REQUESTED, request_id, data)
    db.add_proof_subject(uow.conn, request_id, body.subject_name, body.subject_id_number)
    return load_proof(uow, request_id)  # as projected


def answer_proof(uow: UnitOfWork, request_id: str, body: AnswerProof) -> ProofRequestRow:
    request = load_proof(uow, request_id)
    uow.access.authorize_write("notary.answer_proof", PROOF_ANSWER, request)
    if request["status"] != "requested":
        raise conflict(f"the request is already {request['status']}", request["status"])
    data = ev.ProofAnswered(
        request_id=request_id,
        outcome=body.outcome,
        document_sha256=body.document_sha256,
        summary=body.summary,
        reason=body.reason,
        answered_at=now(),
        document_name=body.document.name if body.document else None,
    )
    uow.emit(ev.PROOF_ANSWERED, request_id, data)
    if body.document:  # kept here, with the answering office: the requester fetches it point to point
        document = body.document
        db.add_proof_document(uow.conn, request_id, document.name, document.content_type, document.content)
    return load_proof(uow, request_id)  # as it stands now


def scan_overdue(uow: UnitOfWork) -> None:
    """Requesting office: flag each proof request unanswered past its deadline, once."""
    at = now()
    for row in db.overdue_proofs(uow.conn, uow.region.value, at):
        data = ev.ProofOverdue(request_id=row["id"], due_at=datetime.fromisoformat(row["due_at"]), detected_at=at)
        uow.emit(ev.PROOF_OVERDUE, row["id"], data)
