"""Notary routes: translate HTTP into use cases and back, nothing more."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.notary import queries, service
from services.notary.models import (
    AnswerProof,
    CertificateQuery,
    ProofQuery,
    Reissue,
    Revoke,
    VerificationQuery,
    Verify,
)
from services.notary.views import (
    CertificateApplicant,
    CertificatePage,
    CertificateView,
    ProofDocument,
    ProofRequest,
    ProofRequestPage,
    ProofRequestView,
    ProofSubject,
    VerificationPage,
    VerifyResult,
)
from shared.contracts.commands import ISSUE_CERTIFICATE, REQUEST_PROOF
from shared.entrypoints import query_params
from shared.entrypoints.context import RequestContext
from shared.entrypoints.creates import Creates
from shared.entrypoints.web import Context


def creates(proof_answer_seconds: int) -> list[Creates]:
    """What creates certificates and proof requests: over HTTP (one and bulk) and as Kafka commands alike."""
    return [
        Creates(
            ISSUE_CERTIFICATE,
            "/certificates",
            "issueCertificate",
            201,
            CertificateView,
            service.issue,
            summary="Issue a certificate of this region's notary office",
        ),
        Creates(
            REQUEST_PROOF,
            "/proof-requests",
            "requestProof",
            201,
            ProofRequest,
            lambda uow, body: service.request_proof(uow, body, proof_answer_seconds),
            summary="Ask the region holding a fact for proof of it (无证明)",
        ),
    ]


def make_router(caught_up: Callable[[], bool]) -> APIRouter:
    router = APIRouter(tags=["notary"])

    @router.get("/certificates/{number}", response_model=CertificateView)
    async def get_certificate(number: str, ctx: RequestContext = Context) -> Response:
        return await ctx.query(lambda uow: (200, queries.read_certificate(uow, number)))

    @router.post("/certificates/{number}/revoke", response_model=CertificateView)
    async def revoke_certificate(number: str, body: Revoke, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.revoke(uow, number, body.reason)))

    @router.get("/certificates/{number}/applicant", response_model=CertificateApplicant)
    async def get_certificate_applicant(number: str, ctx: RequestContext = Context) -> Response:
        """The applicant in full, for the issuing office's own notaries (X-Purpose `notarization`; audited)."""
        return await ctx.read_from_holder(
            lambda uow: queries.read_applicant(uow, number),
            lambda uow: queries.issuer_of(uow, number),
            f"/v1/certificates/{number}/applicant",
        )

    @router.post("/certificates/{number}/reissue", status_code=201, response_model=CertificateView)
    async def reissue_certificate(number: str, body: Reissue, ctx: RequestContext = Context) -> Response:
        """Correct a certificate: the corrected one under a new number (201); the old one is superseded."""
        return await ctx.command(lambda uow: (201, service.reissue(uow, number, body)))

    @router.get("/certificates", response_model=CertificatePage, **query_params.route_options(CertificateQuery))
    async def list_certificates(request: Request, ctx: RequestContext = Context) -> Response:
        query = query_params.parse(CertificateQuery, request)
        return await ctx.query(
            lambda uow: (200, queries.search_certificates(uow, query.filters(), query.limit, query.cursor))
        )

    @router.post("/verifications", response_model=VerifyResult)
    async def verify_certificate(body: Verify, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.verify(uow, body, caught_up())))

    @router.get("/verifications", response_model=VerificationPage, **query_params.route_options(VerificationQuery))
    async def list_verifications(request: Request, ctx: RequestContext = Context) -> Response:
        query = query_params.parse(VerificationQuery, request)
        return await ctx.query(
            lambda uow: (200, queries.search_verifications(uow, query.filters(), query.limit, query.cursor))
        )

    _proof_routes(router)
    return router


def _proof_routes(router: APIRouter) -> None:
    """Proof requests: asked by one region's notary office, answered by the region holding the material."""

    @router.get("/proof-requests/{request_id}", response_model=ProofRequestView)
    async def get_proof_request(request_id: str, ctx: RequestContext = Context) -> Response:
        return await ctx.query(lambda uow: (200, queries.read_proof(uow, request_id)))

    @router.get("/proof-requests/{request_id}/subject", response_model=ProofSubject)
    async def get_proof_subject(request_id: str, ctx: RequestContext = Context) -> Response:
        """The subject's full identity (X-Purpose: notarization), held and audited by the requesting office."""
        return await ctx.read_from_holder(
            lambda uow: queries.read_proof_subject(uow, request_id),
            lambda uow: queries.owner_of_proof(uow, request_id),
            f"/v1/proof-requests/{request_id}/subject",
        )

    @router.get("/proof-requests/{request_id}/document", response_model=ProofDocument)
    async def get_proof_document(request_id: str, ctx: RequestContext = Context) -> Response:
        """The document given with the answer (X-Purpose: notarization), held and audited by the answering
        office, fetched from it point to point."""
        return await ctx.read_from_holder(
            lambda uow: queries.read_proof_document(uow, request_id),
            lambda uow: queries.holder_of_proof(uow, request_id),
            f"/v1/proof-requests/{request_id}/document",
        )

    @router.post("/proof-requests/{request_id}/respond", response_model=ProofRequest)
    async def answer_proof(request_id: str, body: AnswerProof, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.answer_proof(uow, request_id, body)))

    @router.get("/proof-requests", response_model=ProofRequestPage, **query_params.route_options(ProofQuery))
    async def list_proof_requests(request: Request, ctx: RequestContext = Context) -> Response:
        query = query_params.parse(ProofQuery, request)
        return await ctx.query(
            lambda uow: (200, queries.search_proofs(uow, query.filters(), query.limit, query.cursor))
        )
