"""The notary read models (certificate registry, verifications, proof requests): one function per event
type, applied to every region's events alike. Every event also says its region's registry was live then
(what a verification's freshness is judged by)."""

from __future__ import annotations

from typing import Any

from services.notary import store as db
from shared.adapters import records
from shared.contracts import notary as ev
from shared.contracts.envelope import Event
from shared.core.route import Table
from shared.core.uow import UnitOfWork


def _record(uow: UnitOfWork, event: Event, record: str, detail: dict[str, Any]) -> None:
    db.touch_registry(uow.conn, event.region.value, event.time)
    records.add_timeline(uow.conn, event, record, detail)


def certificate_issued(uow: UnitOfWork, event: Event) -> None:
    data: ev.CertificateIssued = event.data
    values = {
        "id": data.number,
        "version": data.version,
        "status": "valid",
        "issuer_region": event.region.value,
        **data.model_dump(exclude={"number", "version"}),
    }
    records.create_versioned(uow.conn, "certificates", values)
    _record(uow, event, data.number, {"matter": data.matter.value})


def certificate_revoked(uow: UnitOfWork, event: Event) -> None:
    data: ev.CertificateRevoked = event.data
    fields = {"status": "revoked", "revoked_at": data.revoked_at, "reason": data.reason}
    records.apply_versioned(uow.conn, "certificates", data.number, data.version, **fields)
    _record(uow, event, data.number, {"reason": data.reason})


def certificate_superseded(uow: UnitOfWork, event: Event) -> None:
    data: ev.CertificateSuperseded = event.data
    fields = {
        "status": "superseded",
        "superseded_by": data.successor,
        "superseded_at": data.superseded_at,
        "reason": data.reason,
    }
    records.apply_versioned(uow.conn, "certificates", data.number, data.version, **fields)
    _record(uow, event, data.number, {"successor": data.successor, "reason": data.reason})


def certificate_verified(uow: UnitOfWork, event: Event) -> None:
    data: ev.CertificateVerified = event.data
    verification = {
        "id": data.verification_id,
        "number": data.number,
        "verifier_region": event.region.value,
        "issuer_region": data.issuer_region,
        "result": data.result,
        "verified_at": data.verified_at,
    }
    db.add_verification(uow.conn, verification)
    _record(uow, event, data.number, {"result": data.result.value, "verifier_region": event.region.value})


def proof_requested(uow: UnitOfWork, event: Event) -> None:
    data: ev.ProofRequested = event.data
    values = {
        "id": data.request_id,
        "requesting_region": event.region.value,
        "agency": event.agency,
        **data.model_dump(exclude={"request_id"}),
    }
    records.merge(uow.conn, "proof_requests", values, keep=("status",))
    _record(uow, event, data.request_id, {"holding_region": data.holding_region, "proof_type": data.proof_type.value})


def proof_answered(uow: UnitOfWork, event: Event) -> None:
    data: ev.ProofAnswered = event.data
    answer = {
        "id": data.request_id,
        "status": data.outcome,
        "document_sha256": data.document_sha256,
        "summary": data.summary,
        "reason": data.reason,
        "answered_at": data.answered_at,
        "document_name": data.document_name,
    }
    records.merge(uow.conn, "proof_requests", answer)
    _record(uow, event, data.request_id, {"outcome": data.outcome})


def proof_overdue(uow: UnitOfWork, event: Event) -> None:
    data: ev.ProofOverdue = event.data
    records.update(uow.conn, "proof_requests", {"id": data.request_id}, overdue_flagged=1)
    _record(uow, event, data.request_id, {"due_at": data.due_at.isoformat()})


PROJECTION: Table = {
    ev.CERTIFICATE_ISSUED: certificate_issued,
    ev.CERTIFICATE_REVOKED: certificate_revoked,
    ev.CERTIFICATE_SUPERSEDED: certificate_superseded,
    ev.CERTIFICATE_VERIFIED: certificate_verified,
    ev.PROOF_REQUESTED: proof_requested,
    ev.PROOF_ANSWERED: proof_answered,
    ev.PROOF_OVERDUE: proof_overdue,
}
