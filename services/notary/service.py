"""Notary use cases as units of work, shared by routes, event handlers and the overdue scanner."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.notary import domain
from services.notary import store as db
from services.notary.domain import RegistryEntry
from services.notary.metrics import ANSWER_SECONDS
from services.notary.models import AnswerProof, IssueCertificate, RequestProof, Verify
from shared import records
from shared.auth.policy import DataClass, agencies_of
from shared.contracts import notary as ev
from shared.identity import mask_id, mask_name
from shared.problems import conflict, invalid, not_found
from shared.regions import REGIONS, zone_date
from shared.uow import UnitOfWork, now


def _certificate(uow: UnitOfWork, number: str) -> dict[str, Any]:
    certificate = db.get_certificate(uow.conn, number, now())
    if certificate is None or certificate["issuer_region"] is None:
        raise not_found("certificate")
    return certificate


def _proof(uow: UnitOfWork, request_id: str) -> dict[str, Any]:
    request = db.get_proof_request(uow.conn, request_id)
    if request is None or request["requesting_region"] is None:
        raise not_found("proof request")
    return request


def _proof_agencies(request: dict[str, Any]) -> tuple[str, ...]:
    """The requesting office's agency and the agency asked to answer: the agency systems that take part."""
    return agencies_of(request, "agency", "holding_agency")


def issue(uow: UnitOfWork, body: IssueCertificate) -> dict[str, Any]:
    uow.authorize_write("notary.issue")
    at = now()
    try:
        domain.check_issuable(body.valid_until, at)
    except ValueError as error:
        raise invalid("valid_until", str(error)) from None
    year = zone_date(at).year  # office years are Beijing time
    number = domain.certificate_number(year, uow.region, db.next_certificate_sequence(uow.conn, year))
    uow.about(number)
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
    apply(uow, uow.emit(ev.CERTIFICATE_ISSUED, number, data))
    db.add_applicant(uow.conn, number, body.applicant.name, body.applicant.id_number)
    return certificate_view(uow, number)


def revoke(uow: UnitOfWork, number: str, reason: str) -> dict[str, Any]:
    certificate = _certificate(uow, number)
    uow.authorize_write("notary.revoke", certificate["issuer_region"], record=number)
    if certificate["status"] == "revoked":
        raise conflict("the certificate is already revoked", "revoked")
    data = ev.CertificateRevoked(number=number, version=certificate["version"] + 1, reason=reason, revoked_at=now())
    apply(uow, uow.emit(ev.CERTIFICATE_REVOKED, number, data))
    return certificate_view(uow, number)


def verify(uow: UnitOfWork, body: Verify, caught_up: bool) -> dict[str, Any]:
    """Answered from the local registry, so it works while the issuing region is unreachable; the answer
    says how fresh the registry is."""
    uow.authorize_write("notary.verify", record=body.certificate_number)
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
        verification_id=str(uuid.uuid4()),
        number=body.certificate_number,
        issuer_region=issuer,
        result=result,
        verified_at=at,
    )
    apply(uow, uow.emit(ev.CERTIFICATE_VERIFIED, body.certificate_number, data))
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
        "registry": freshness,
    }


def request_proof(uow: UnitOfWork, body: RequestProof, answer_seconds: int) -> dict[str, Any]:
    at, request_id = now(), str(uuid.uuid4())
    uow.authorize_write("notary.request_proof", record=request_id)
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
    apply(uow, uow.emit(ev.PROOF_REQUESTED, request_id, data))
    db.add_proof_subject(uow.conn, request_id, body.subject_name, body.subject_id_number)
    return db.get_proof_request(uow.conn, request_id)


def answer_proof(uow: UnitOfWork, request_id: str, body: AnswerProof) -> dict[str, Any]:
    request = _proof(uow, request_id)
    # The answer is the holding region's own record: only the holder gives it.
    uow.authorize_write(
        "notary.answer_proof", request["holding_region"], record=request_id, agencies=_proof_agencies(request)
    )
    if request["status"] != "requested":
        raise conflict(f"the request is already {request['status']}", request["status"])
    data = ev.ProofAnswered(
        request_id=request_id,
        outcome=body.outcome,
        document_sha256=body.document_sha256,
        summary=body.summary,
        reason=body.reason,
        answered_at=now(),
    )
    apply(uow, uow.emit(ev.PROOF_ANSWERED, request_id, data))
    return db.get_proof_request(uow.conn, request_id)


def read_proof_subject(uow: UnitOfWork, request_id: str) -> dict[str, Any] | None:
    """The subject's full name and ID number, held by the requesting office. None: ask that instance."""
    request = _proof(uow, request_id)
    return uow.read_held(
        "notary.read_proof_subject",
        DataClass.PROOF_SUBJECT,
        request_id,
        request["requesting_region"],
        involved=uow.acting_region == request["holding_region"],
        read=lambda: {"request_id": request_id, **db.proof_subject(uow.conn, request_id)},
        agencies=_proof_agencies(request),
    )


def owner_of_proof(uow: UnitOfWork, request_id: str) -> str:
    return _proof(uow, request_id)["requesting_region"]


def apply(uow: UnitOfWork, event: Any) -> None:
    """Apply any notary event to the read model: own events when written, others' on arrival."""
    data, conn = event.data, uow.conn
    db.touch_registry(conn, event.region.value, event.time)
    if event.type is ev.CERTIFICATE_ISSUED:
        values = {
            "id": data.number,
            "version": data.version,
            "status": "valid",
            "issuer_region": event.region.value,
            **data.model_dump(exclude={"number", "version"}),
        }
        records.merge(conn, "certificates", values, keep=("status", "version"))
        record, detail = data.number, {"matter": data.matter.value}
    elif event.type is ev.CERTIFICATE_REVOKED:
        records.apply_versioned(
            conn,
            "certificates",
            data.number,
            data.version,
            status="revoked",
            revoked_at=data.revoked_at,
            reason=data.reason,
        )
        record, detail = data.number, {"reason": data.reason}
    elif event.type is ev.CERTIFICATE_VERIFIED:
        db.add_verification(
            conn,
            {
                "id": data.verification_id,
                "number": data.number,
                "verifier_region": event.region.value,
                "issuer_region": data.issuer_region,
                "result": data.result,
                "verified_at": data.verified_at,
            },
        )
        record, detail = data.number, {"result": data.result.value, "verifier_region": event.region.value}
    elif event.type is ev.PROOF_REQUESTED:
        values = {
            "id": data.request_id,
            "requesting_region": event.region.value,
            "agency": event.agency,
            **data.model_dump(exclude={"request_id"}),
        }
        records.merge(conn, "proof_requests", values, keep=("status",))
        record, detail = data.request_id, {"holding_region": data.holding_region, "proof_type": data.proof_type.value}
    elif event.type is ev.PROOF_ANSWERED:
        records.merge(
            conn,
            "proof_requests",
            {
                "id": data.request_id,
                "status": data.outcome,
                "document_sha256": data.document_sha256,
                "summary": data.summary,
                "reason": data.reason,
                "answered_at": data.answered_at,
            },
        )
        request = db.get_proof_request(conn, data.request_id)
        if request and request["requesting_region"] == uow.region.value and request["requested_at"]:
            waited = (data.answered_at - datetime.fromisoformat(request["requested_at"])).total_seconds()
            ANSWER_SECONDS.labels(uow.region.value, request["proof_type"], data.outcome).observe(max(waited, 0))
        record, detail = data.request_id, {"outcome": data.outcome}
    elif event.type is ev.PROOF_OVERDUE:
        records.update(conn, "proof_requests", {"id": data.request_id}, overdue_flagged=1)
        record, detail = data.request_id, {"due_at": data.due_at.isoformat()}
    else:
        return
    records.add_timeline(conn, event, record, detail)


def scan_overdue(uow: UnitOfWork) -> None:
    """Requesting office: flag each proof request unanswered past its deadline, once."""
    at = now()
    for row in db.overdue_proofs(uow.conn, uow.region.value, at):
        data = ev.ProofOverdue(request_id=row["id"], due_at=datetime.fromisoformat(row["due_at"]), detected_at=at)
        apply(uow, uow.emit(ev.PROOF_OVERDUE, row["id"], data))


def certificate_view(uow: UnitOfWork, number: str) -> dict[str, Any]:
    return {
        **_public(_certificate(uow, number)),
        "verifications": db.verifications_of(uow.conn, number),
        "timeline": records.timeline(uow.conn, number),
    }


def _public(certificate: dict[str, Any]) -> dict[str, Any]:
    """The registry row as the API shows it: keyed by its certificate number."""
    shown = dict(certificate)
    return {"number": shown.pop("id"), **shown}


def read_certificate(uow: UnitOfWork, number: str) -> dict[str, Any]:
    certificate = _certificate(uow, number)
    uow.authorize_read("notary.read", number, certificate["issuer_region"])
    return certificate_view(uow, number)


def read_proof(uow: UnitOfWork, request_id: str) -> dict[str, Any]:
    request = _proof(uow, request_id)
    involved = uow.acting_region == request["holding_region"]
    uow.authorize_read(
        "notary.read_proofs", request_id, request["requesting_region"], involved, _proof_agencies(request)
    )
    return {**request, "timeline": records.timeline(uow.conn, request_id)}


def search_certificates(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.require_any_grant("notary.read")
    result = db.search_certificates(uow.conn, filters, limit, cursor, now())
    visible = [c for c in result["items"] if uow.may_read("notary.read", c["issuer_region"])]
    return {**result, "items": [_public(c) for c in visible]}


def search_verifications(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.require_any_grant("notary.read")
    return db.search_verifications(uow.conn, filters, limit, cursor)


def search_proofs(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.require_any_grant("notary.read_proofs")
    result = db.search_proofs(uow.conn, filters, limit, cursor)
    region = uow.acting_region
    visible = [
        p
        for p in result["items"]
        if uow.may_read("notary.read_proofs", p["requesting_region"], region == p["holding_region"], _proof_agencies(p))
    ]
    return {**result, "items": visible}
