"""Notary queries: the certificate registry as the API shows it, proof requests and the parties to
them, and the collections."""

from __future__ import annotations

import base64
from typing import Any

from services.notary import store as db
from services.notary.ownership import CERTIFICATE, PROOF_DOCUMENT, PROOF_REQUEST
from services.notary.rows import CertificateRow, ProofRequestRow
from shared.adapters import records
from shared.contracts.problems import not_found
from shared.core.uow import UnitOfWork, now
from shared.rules.policy import DataClass


def load_certificate(uow: UnitOfWork, number: str) -> CertificateRow:
    return CERTIFICATE.known(db.get_certificate(uow.conn, number, now()))


def load_proof(uow: UnitOfWork, request_id: str) -> ProofRequestRow:
    return PROOF_REQUEST.known(db.get_proof_request(uow.conn, request_id))


def read_proof_subject(uow: UnitOfWork, request_id: str) -> dict[str, Any] | None:
    """The subject's full name and ID number, held by the requesting office. None: ask that instance."""
    request = load_proof(uow, request_id)

    def held() -> dict[str, Any]:
        return {"request_id": request_id, **db.proof_subject(uow.conn, request_id)}

    return uow.access.read_held("notary.read_proof_subject", DataClass.PROOF_SUBJECT, PROOF_REQUEST, request, held)


def read_proof_document(uow: UnitOfWork, request_id: str) -> dict[str, Any] | None:
    """The document given with an answer: held by the answering office, read by it and by the requesting
    office (purpose `notarization`, audited by the holder). None: ask the holding region's instance."""
    request = load_proof(uow, request_id)

    def held() -> dict[str, Any]:
        document = db.proof_document(uow.conn, request_id)
        if document is None:
            raise not_found("document with this answer")
        return {
            "request_id": request_id,
            "name": document["name"],
            "content_type": document["content_type"],
            "sha256": request["document_sha256"],
            "content_base64": base64.b64encode(document["content"]).decode(),
        }

    return uow.access.read_held("notary.read_proof_document", DataClass.PROOF_DOCUMENT, PROOF_DOCUMENT, request, held)


def holder_of_proof(uow: UnitOfWork, request_id: str) -> str:
    return PROOF_DOCUMENT.owner(load_proof(uow, request_id))


def owner_of_proof(uow: UnitOfWork, request_id: str) -> str:
    return PROOF_REQUEST.owner(load_proof(uow, request_id))


def read_applicant(uow: UnitOfWork, number: str) -> dict[str, Any] | None:
    """The applicant's full name and ID number, held by the issuing office and read by it alone (purpose
    `notarization`, audited). None: ask the issuing region's instance."""
    certificate = load_certificate(uow, number)

    def held() -> dict[str, Any]:
        applicant = db.applicant(uow.conn, number)
        return {"number": number, "issuer_region": certificate["issuer_region"], **(applicant or {})}

    return uow.access.read_held(
        "notary.read_applicant", DataClass.CERTIFICATE_APPLICANT, CERTIFICATE, certificate, held
    )


def issuer_of(uow: UnitOfWork, number: str) -> str:
    return CERTIFICATE.owner(load_certificate(uow, number))


def certificate_view(uow: UnitOfWork, number: str) -> dict[str, Any]:
    return {
        **_public(load_certificate(uow, number)),
        "verifications": db.verifications_of(uow.conn, number),
        "timeline": records.timeline(uow.conn, number),
    }


def _public(certificate: CertificateRow) -> dict[str, Any]:
    """The registry row as the API shows it: keyed by its certificate number."""
    shown = dict(certificate)
    return {"number": shown.pop("id"), **shown}


def read_certificate(uow: UnitOfWork, number: str) -> dict[str, Any]:
    uow.access.authorize_read("notary.read", CERTIFICATE, load_certificate(uow, number))
    return certificate_view(uow, number)


def read_proof(uow: UnitOfWork, request_id: str) -> dict[str, Any]:
    request = load_proof(uow, request_id)
    uow.access.authorize_read("notary.read_proofs", PROOF_REQUEST, request)
    return {**request, "timeline": records.timeline(uow.conn, request_id)}


def search_certificates(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.access.require_any_grant("notary.read")
    result = db.search_certificates(uow.conn, filters, limit, cursor, now())
    return {**result, "items": [_public(c) for c in uow.access.readable("notary.read", CERTIFICATE, result["items"])]}


def search_verifications(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.access.require_any_grant("notary.read")
    return db.search_verifications(uow.conn, filters, limit, cursor)


def search_proofs(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.access.require_any_grant("notary.read_proofs")
    result = db.search_proofs(uow.conn, filters, limit, cursor)
    return {**result, "items": uow.access.readable("notary.read_proofs", PROOF_REQUEST, result["items"])}
