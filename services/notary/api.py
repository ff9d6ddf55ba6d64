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
from shared.contracts.commands import ISSUE_CERTIFICATE, REQUEST_PROOF, IssueCertificate, RequestProof
from shared.core.context import RequestContext
from shared.core.uow import UnitOfWork
from shared.entrypoints import batch, query_params
from shared.entrypoints.batch import Create
from shared.entrypoints.web import Context


def handlers(proof_answer_seconds: int) -> dict[str, Create]:
    """What creates records, by command type: the HTTP routes (one and bulk) and the Kafka commands alike."""

    def issue_one(uow: UnitOfWork, body: IssueCertificate) -> tuple[int, dict]:
        return 201, service.issue(uow, body)

    def request_one(uow: UnitOfWork, body: RequestProof) -> tuple[int, dict]:
        return 201, service.request_proof(uow, body, proof_answer_seconds)

    return {ISSUE_CERTIFICATE.type: issue_one, REQUEST_PROOF.type: request_one}


def make_router(caught_up: Callable[[], bool], proof_answer_seconds: int) -> APIRouter:
    router = APIRouter(tags=["notary"])

    create = handlers(proof_answer_seconds)
    issue_one, request_one = create[ISSUE_CERTIFICATE.type], create[REQUEST_PROOF.type]

    @router.post("/certificates", status_code=201, response_model=CertificateView)
    async def issue(body: IssueCertificate, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: issue_one(uow, body))

    @router.post("/certificates/batch", **batch.route_options(IssueCertificate))
    async def issue_batch(request: Request, ctx: RequestContext = Context) -> Response:
        """Many certificates at once (NDJSON): each line as `POST /certificates` takes it; each result's id is
        the certificate number."""
        return await batch.run(request, ctx, IssueCertificate, issue_one)

    @router.get("/certificates/{number}", response_model=CertificateView)
    async def get_certificate(number: str, ctx: RequestContext = Context) -> Response:
        return await ctx.query(lambda uow: (200, queries.read_certificate(uow, number)))

    @router.post("/certificates/{number}/revoke", response_model=CertificateView)
    async def revoke(number: str, body: Revoke, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.revoke(uow, number, body.reason)))

    @router.get("/certificates/{number}/applicant", response_model=CertificateApplicant)
    async def get_applicant(number: str, ctx: RequestContext = Context) -> Response:
        """The applicant in full, for the issuing office's own notaries (X-Purpose `notarization`; audited)."""
        return await ctx.read_from_holder(
            lambda uow: queries.read_applicant(uow, number),
            lambda uow: queries.issuer_of(uow, number),
            f"/v1/certificates/{number}/applicant",
        )

    @router.post("/certificates/{number}/reissue", status_code=201, response_model=CertificateView)
    async def reissue(number: str, body: Reissue, ctx: RequestContext = Context) -> Response:
        """Correct a certificate: the corrected one under a new number (201); the old one is superseded."""
        return await ctx.command(lambda uow: (201, service.reissue(uow, number, body)))

    @router.get("/certificates", response_model=CertificatePage, **query_params.route_options(CertificateQuery))
    async def list_certificates(request: Request, ctx: RequestContext = Context) -> Response:
        query = query_params.parse(CertificateQuery, request)
        return await ctx.query(
            lambda uow: (200, queries.search_certificates(uow, query.filters(), query.limit, query.cursor))
        )

    @router.post("/verifications", response_model=VerifyResult)
    async def verify(body: Verify, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.verify(uow, body, caught_up())))

    @router.get("/verifications", response_model=VerificationPage, **query_params.route_options(VerificationQuery))
    async def list_verifications(request: Request, ctx: RequestContext = Context) -> Response:
        query = query_params.parse(VerificationQuery, request)
        return await ctx.query(
            lambda uow: (200, queries.search_verifications(uow, query.filters(), query.limit, query.cursor))
        )

    _proof_routes(router, request_one)
    return router


def _proof_routes(router: APIRouter, request_one: Create) -> None:
    """Proof requests: asked by one region's notary office, answered by the region holding the material."""

    @router.post("/proof-requests", status_code=201, response_model=ProofRequest)
    async def request_proof(body: RequestProof, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: request_one(uow, body))

    @router.post("/proof-requests/batch", **batch.route_options(RequestProof))
    async def request_batch(request: Request, ctx: RequestContext = Context) -> Response:
        """Many proof requests at once (NDJSON): each line as `POST /proof-requests` takes it."""
        return await batch.run(request, ctx, RequestProof, request_one)

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
