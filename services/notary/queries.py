"""Notary queries: the certificate registry as the API shows it, proof requests and the parties to
them, and the collections."""

from __future__ import annotations

from typing import Any

from services.notary import store as db
from shared import records
from shared.auth.policy import DataClass, agencies_of
from shared.problems import not_found
from shared.uow import UnitOfWork, now


def load_certificate(uow: UnitOfWork, number: str) -> dict[str, Any]:
    certificate = db.get_certificate(uow.conn, number, now())
    if certificate is None or certificate["issuer_region"] is None:
        raise not_found("certificate")
    return certificate


def load_proof(uow: UnitOfWork, request_id: str) -> dict[str, Any]:
    request = db.get_proof_request(uow.conn, request_id)
    if request is None or request["requesting_region"] is None:
        raise not_found("proof request")
    return request


def proof_agencies(request: dict[str, Any]) -> tuple[str, ...]:
    """The requesting office's agency and the agency asked to answer: the agency systems that take part."""
    return agencies_of(request, "agency", "holding_agency")


def read_proof_subject(uow: UnitOfWork, request_id: str) -> dict[str, Any] | None:
    """The subject's full name and ID number, held by the requesting office. None: ask that instance."""
    request = load_proof(uow, request_id)
    return uow.read_held(
        "notary.read_proof_subject",
        DataClass.PROOF_SUBJECT,
        request_id,
        request["requesting_region"],
        involved=uow.acting_region == request["holding_region"],
        read=lambda: {"request_id": request_id, **db.proof_subject(uow.conn, request_id)},
        agencies=proof_agencies(request),
    )


def owner_of_proof(uow: UnitOfWork, request_id: str) -> str:
    return load_proof(uow, request_id)["requesting_region"]


def certificate_view(uow: UnitOfWork, number: str) -> dict[str, Any]:
    return {
        **_public(load_certificate(uow, number)),
        "verifications": db.verifications_of(uow.conn, number),
        "timeline": records.timeline(uow.conn, number),
    }


def _public(certificate: dict[str, Any]) -> dict[str, Any]:
    """The registry row as the API shows it: keyed by its certificate number."""
    shown = dict(certificate)
    return {"number": shown.pop("id"), **shown}


def read_certificate(uow: UnitOfWork, number: str) -> dict[str, Any]:
    certificate = load_certificate(uow, number)
    uow.authorize_read("notary.read", number, certificate["issuer_region"])
    return certificate_view(uow, number)


def read_proof(uow: UnitOfWork, request_id: str) -> dict[str, Any]:
    request = load_proof(uow, request_id)
    involved = uow.acting_region == request["holding_region"]
    uow.authorize_read(
        "notary.read_proofs", request_id, request["requesting_region"], involved, proof_agencies(request)
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
        if uow.may_read("notary.read_proofs", p["requesting_region"], region == p["holding_region"], proof_agencies(p))
    ]
    return {**result, "items": visible}
