"""Filing routes: translate HTTP into use cases and back, nothing more."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.filing import queries, service
from services.filing.domain import Action
from services.filing.models import FilingQuery, Reject, RequestCorrection, Resubmit, StatusQuestion, Withdraw
from services.filing.views import Filing, FilingPage, FilingStatusView, FilingView, Parties, SubmittedFiling
from shared.contracts.commands import SUBMIT_FILING, SubmitFiling
from shared.core.uow import UnitOfWork
from shared.entrypoints import query_params
from shared.entrypoints.context import RequestContext
from shared.entrypoints.creates import Creates
from shared.entrypoints.web import Context


def creates(config: service.Config) -> list[Creates]:
    """What creates filings: over HTTP (one and bulk) and as a Kafka command alike."""

    def submit(uow: UnitOfWork, body: SubmitFiling) -> dict:
        return service.submit(uow, body, config.id_hash_key)

    return [
        Creates(
            SUBMIT_FILING,
            "/filings",
            "submitFiling",
            202,
            SubmittedFiling,
            submit,
            summary="File a case at this region's window for a court of the zone",
        )
    ]


def make_router(config: service.Config) -> APIRouter:
    router = APIRouter(tags=["filings"])
    decision_seconds = config.decision_seconds

    @router.get("/filings/{filing_id}", response_model=FilingView)
    async def get_filing(filing_id: str, ctx: RequestContext = Context) -> Response:
        return await ctx.query(lambda uow: (200, queries.read(uow, filing_id)))

    @router.get("/filings/{filing_id}/parties", response_model=Parties)
    async def get_filing_parties(filing_id: str, ctx: RequestContext = Context) -> Response:
        """Full party detail (sensitive, X-Purpose required), served by the receiving region that holds it."""
        return await ctx.read_from_holder(
            lambda uow: queries.read_parties(uow, filing_id),
            lambda uow: queries.holder_of(uow, filing_id),
            f"/v1/filings/{filing_id}/parties",
        )

    @router.get("/filings", response_model=FilingPage, **query_params.route_options(FilingQuery))
    async def list_filings(request: Request, ctx: RequestContext = Context) -> Response:
        """Newest first, or `order=due` (with `court_region` and `status`: a court's queue) soonest decision
        deadline first; `party_id_number` finds a party's filings (X-Purpose case-filing/case-review; audited)."""
        query = query_params.parse(FilingQuery, request)
        return await ctx.query(
            lambda uow: (200, queries.search(uow, query.filters(), query.limit, query.cursor, config.id_hash_key))
        )

    @router.post("/filings/{filing_id}/accept", response_model=Filing)
    async def accept_filing(filing_id: str, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.decide(uow, filing_id, Action.ACCEPT)))

    @router.post("/filings/{filing_id}/reject", response_model=Filing)
    async def reject_filing(filing_id: str, body: Reject, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.decide(uow, filing_id, Action.REJECT, body)))

    @router.post("/filings/{filing_id}/request-correction", response_model=Filing)
    async def request_correction(filing_id: str, body: RequestCorrection, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.decide(uow, filing_id, Action.REQUEST_CORRECTION, body)))

    @router.post("/filings/{filing_id}/resubmit", status_code=202, response_model=Filing)
    async def resubmit_filing(filing_id: str, body: Resubmit, ctx: RequestContext = Context) -> Response:
        return await ctx.command(
            lambda uow: (202, service.request_change(uow, filing_id, Action.RESUBMIT, body, decision_seconds))
        )

    @router.post("/filings/{filing_id}/withdraw", status_code=202, response_model=Filing)
    async def withdraw_filing(filing_id: str, body: Withdraw, ctx: RequestContext = Context) -> Response:
        return await ctx.command(
            lambda uow: (202, service.request_change(uow, filing_id, Action.WITHDRAW, body, decision_seconds))
        )

    return router


def public_router(config: service.Config) -> APIRouter:
    """Answered without a login, at /public/v1 (the window's own screen or kiosk)."""
    router = APIRouter(tags=["public"])

    @router.post("/filing-status", response_model=FilingStatusView)
    async def get_filing_status(body: StatusQuestion, request: Request) -> Response:
        """Where a filing stands, for a party holding the code given at submission, at the receiving window:
        status, court, docket number or reason, and the one-time correction notice. No personal data."""
        with request.app.state.runtime.store.read() as conn:
            answer = queries.public_status(conn, body.filing_id, body.filing_code, config.id_hash_key)
        return Response(orjson.dumps(answer), media_type="application/json")

    return router
