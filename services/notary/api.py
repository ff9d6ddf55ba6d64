"""Notary routes: translate HTTP into use cases and back, nothing more."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.notary import service
from services.notary.domain import CertificateStatus, ProofStatus
from services.notary.models import AnswerProof, IssueCertificate, RequestProof, Revoke, Verify
from shared.context import RequestContext
from shared.contracts.notary import Matter, ProofType, VerificationResult
from shared.regions import Region
from shared.web import Context

Limit = Annotated[int, Query(ge=1, le=100)]


def make_router(caught_up: Callable[[], bool], proof_answer_seconds: int) -> APIRouter:
    router = APIRouter(tags=["notary"])

    @router.post("/certificates", status_code=201)
    def issue(body: IssueCertificate, ctx: RequestContext = Context) -> Response:
        return ctx.command(lambda uow: (201, service.issue(uow, body)))

    @router.get("/certificates/{number}")
    async def get_certificate(number: str, ctx: RequestContext = Context) -> Response:
        return ctx.query(lambda uow: (200, service.read_certificate(uow, number)))

    @router.post("/certificates/{number}/revoke")
    def revoke(number: str, body: Revoke, ctx: RequestContext = Context) -> Response:
        return ctx.command(lambda uow: (200, service.revoke(uow, number, body.reason)))

    @router.get("/certificates")
    async def list_certificates(
        ctx: RequestContext = Context,
        issuer_region: Region | None = None,
        matter: Matter | None = None,
        status: CertificateStatus | None = None,
        issued_from: datetime | None = None,
        issued_to: datetime | None = None,
        limit: Limit = 20,
        cursor: str | None = None,
    ) -> Response:
        filters = {
            "issuer_region": issuer_region,
            "matter": matter,
            "status": status,
            "issued_from": issued_from,
            "issued_to": issued_to,
        }
        return ctx.query(lambda uow: (200, service.search_certificates(uow, filters, limit, cursor)))

    @router.post("/verifications")
    def verify(body: Verify, ctx: RequestContext = Context) -> Response:
        return ctx.command(lambda uow: (200, service.verify(uow, body, caught_up())))

    @router.get("/verifications")
    async def list_verifications(
        ctx: RequestContext = Context,
        certificate_number: str | None = None,
        verifier_region: Region | None = None,
        issuer_region: Region | None = None,
        result: VerificationResult | None = None,
        limit: Limit = 20,
        cursor: str | None = None,
    ) -> Response:
        filters = {
            "certificate_number": certificate_number,
            "verifier_region": verifier_region,
            "issuer_region": issuer_region,
            "result": result,
        }
        return ctx.query(lambda uow: (200, service.search_verifications(uow, filters, limit, cursor)))

    @router.post("/proof-requests", status_code=201)
    def request_proof(body: RequestProof, ctx: RequestContext = Context) -> Response:
        return ctx.command(lambda uow: (201, service.request_proof(uow, body, proof_answer_seconds)))

    @router.get("/proof-requests/{request_id}")
    async def get_proof_request(request_id: str, ctx: RequestContext = Context) -> Response:
        return ctx.query(lambda uow: (200, service.read_proof(uow, request_id)))

    @router.get("/proof-requests/{request_id}/subject")
    def get_proof_subject(request_id: str, ctx: RequestContext = Context) -> Response:
        """The subject's full identity (X-Purpose: notarization), held and audited by the requesting office."""
        return ctx.read_from_holder(
            lambda uow: service.read_proof_subject(uow, request_id),
            lambda uow: service.owner_of_proof(uow, request_id),
            f"/v1/proof-requests/{request_id}/subject",
        )

    @router.post("/proof-requests/{request_id}/respond")
    def answer_proof(request_id: str, body: AnswerProof, ctx: RequestContext = Context) -> Response:
        return ctx.command(lambda uow: (200, service.answer_proof(uow, request_id, body)))

    @router.get("/proof-requests")
    async def list_proof_requests(
        ctx: RequestContext = Context,
        requesting_region: Region | None = None,
        holding_region: Region | None = None,
        proof_type: ProofType | None = None,
        status: ProofStatus | None = None,
        limit: Limit = 20,
        cursor: str | None = None,
    ) -> Response:
        filters = {
            "requesting_region": requesting_region,
            "holding_region": holding_region,
            "proof_type": proof_type,
            "status": status,
        }
        return ctx.query(lambda uow: (200, service.search_proofs(uow, filters, limit, cursor)))

    return router
