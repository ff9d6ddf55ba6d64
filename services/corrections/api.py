"""Corrections routes: translate HTTP into use cases and back, nothing more."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from services.corrections import movements, queries, service
from services.corrections.config import Config
from services.corrections.models import (
    AcceptTransfer,
    ApproveTravel,
    CancelTravel,
    Lookup,
    RejectTransfer,
    ReportViolation,
    RequestTransfer,
    SubjectQuery,
    TransferQuery,
    TravelQuery,
    UpdateSubject,
    WithdrawTransfer,
)
from services.corrections.views import (
    FullRecord,
    LookupResult,
    SubjectPage,
    SubjectView,
    Transfer,
    TransferPage,
    Travel,
    TravelPage,
)
from shared.contracts.commands import ENROL
from shared.contracts.regions import Region
from shared.entrypoints import query_params
from shared.entrypoints.context import RequestContext
from shared.entrypoints.creates import Creates
from shared.entrypoints.web import Context


def creates(config: Config) -> list[Creates]:
    """What enrols subjects: over HTTP (one and bulk) and as a Kafka command alike."""
    return [
        Creates(
            ENROL,
            "/subjects",
            "enrolSubject",
            201,
            SubjectView,
            lambda uow, body: service.enrol(uow, body, config),
            summary="Enrol a subject under this region's community correction",
        )
    ]


def make_router(config: Config) -> APIRouter:
    router = APIRouter(tags=["corrections"])

    @router.post("/subjects/lookup", response_model=LookupResult)
    async def lookup_subject(body: Lookup, ctx: RequestContext = Context) -> Response:
        """Hit or no hit by ID number (X-Purpose: supervision or law-enforcement); audited."""
        return await ctx.command(lambda uow: (200, queries.lookup(uow, body.id_number, config)))

    @router.get("/subjects/{subject_id}", response_model=SubjectView)
    async def get_subject(subject_id: str, ctx: RequestContext = Context) -> Response:
        return await ctx.query(lambda uow: (200, queries.read(uow, subject_id)))

    @router.get("/subjects/{subject_id}/detail", response_model=FullRecord)
    async def get_subject_detail(subject_id: str, ctx: RequestContext = Context) -> Response:
        """The full record (X-Purpose: supervision or transfer-handover), held and audited by the home region."""
        return await ctx.read_from_holder(
            lambda uow: queries.read_detail(uow, subject_id),
            lambda uow: queries.holder_of(uow, subject_id),
            f"/v1/subjects/{subject_id}/detail",
        )

    @router.get("/subjects", response_model=SubjectPage, **query_params.route_options(SubjectQuery))
    async def list_subjects(request: Request, ctx: RequestContext = Context) -> Response:
        query = query_params.parse(SubjectQuery, request)
        return await ctx.query(lambda uow: (200, queries.search(uow, query.filters(), query.limit, query.cursor)))

    @router.post("/subjects/{subject_id}/report-in", response_model=SubjectView)
    async def report_in_subject(subject_id: str, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.report_in(uow, subject_id)))

    @router.patch("/subjects/{subject_id}", response_model=SubjectView)
    async def update_subject(subject_id: str, body: UpdateSubject, ctx: RequestContext = Context) -> Response:
        """The home region changes address, supervising office, risk level or prohibitions."""
        changes = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
        return await ctx.command(lambda uow: (200, service.update(uow, subject_id, changes)))

    @router.post("/subjects/{subject_id}/release", response_model=SubjectView)
    async def release_subject(subject_id: str, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.release(uow, subject_id)))

    return router


# Trips, transfers and violations: acts of the home region and of the region the subject goes to.
movements_router = APIRouter(tags=["corrections"])


@movements_router.post("/subjects/{subject_id}/travels", status_code=201, response_model=Travel)
async def approve_travel(subject_id: str, body: ApproveTravel, ctx: RequestContext = Context) -> Response:
    return await ctx.command(lambda uow: (201, movements.approve_travel(uow, subject_id, body)))


@movements_router.get("/travels", response_model=TravelPage, **query_params.route_options(TravelQuery))
async def list_travels(request: Request, ctx: RequestContext = Context) -> Response:
    """Trips by their first day, earliest first: `destination` and `status` give what arrives in a region."""
    query = query_params.parse(TravelQuery, request)
    return await ctx.query(
        lambda uow: (200, queries.movements(uow, "travels", query.filters(), query.limit, query.cursor))
    )


@movements_router.get("/transfers", response_model=TransferPage, **query_params.route_options(TransferQuery))
async def list_transfers(request: Request, ctx: RequestContext = Context) -> Response:
    """Transfers oldest request first: `destination` and `status=pending` give what awaits a region's acceptance."""
    query = query_params.parse(TransferQuery, request)
    return await ctx.query(
        lambda uow: (200, queries.movements(uow, "transfers", query.filters(), query.limit, query.cursor))
    )


@movements_router.post("/travels/{travel_id}/check-in", response_model=Travel)
async def check_in_travel(travel_id: str, ctx: RequestContext = Context) -> Response:
    return await ctx.command(lambda uow: (200, movements.check_in(uow, travel_id)))


@movements_router.post("/travels/{travel_id}/return", response_model=Travel)
async def record_travel_return(travel_id: str, ctx: RequestContext = Context) -> Response:
    return await ctx.command(lambda uow: (200, movements.record_return(uow, travel_id)))


@movements_router.post("/travels/{travel_id}/cancel", response_model=Travel)
async def cancel_travel(travel_id: str, body: CancelTravel, ctx: RequestContext = Context) -> Response:
    """The home region withdraws an approved trip before it begins (409 once it has)."""
    return await ctx.command(lambda uow: (200, movements.cancel_travel(uow, travel_id, body.reason)))


@movements_router.post("/subjects/{subject_id}/transfers", status_code=201, response_model=Transfer)
async def request_transfer(subject_id: str, body: RequestTransfer, ctx: RequestContext = Context) -> Response:
    return await ctx.command(lambda uow: (201, movements.request_transfer(uow, subject_id, body)))


@movements_router.post("/transfers/{transfer_id}/accept", response_model=Transfer)
async def accept_transfer(transfer_id: str, body: AcceptTransfer, ctx: RequestContext = Context) -> Response:
    """The destination's officer accepts (X-Purpose: transfer-handover), naming the office that will
    supervise the subject here: the full record is fetched from the home region first, then kept here,
    under that office, with the acceptance in one transaction."""
    pending = await ctx.query(lambda uow: (200, movements.pending_transfer(uow, transfer_id)))
    target = orjson.loads(pending.body)
    record = await run_in_threadpool(  # a blocking fetch: in a worker thread, not on the event loop
        ctx.runtime.peers.get,
        Region(target["home_region"]),
        f"/v1/subjects/{target['subject_id']}/detail",
        ctx.authorization,
        ctx.purpose,
        ctx.correlation_id,
    )
    office = body.supervising_office
    return await ctx.command(lambda uow: (200, movements.accept_transfer(uow, transfer_id, record, office)))


@movements_router.post("/transfers/{transfer_id}/withdraw", response_model=Transfer)
async def withdraw_transfer(transfer_id: str, body: WithdrawTransfer, ctx: RequestContext = Context) -> Response:
    """The home region withdraws a transfer the destination has not decided (409 once it has)."""
    return await ctx.command(lambda uow: (200, movements.withdraw_transfer(uow, transfer_id, body.reason)))


@movements_router.post("/transfers/{transfer_id}/reject", response_model=Transfer)
async def reject_transfer(transfer_id: str, body: RejectTransfer, ctx: RequestContext = Context) -> Response:
    return await ctx.command(lambda uow: (200, movements.reject_transfer(uow, transfer_id, body.reason)))


@movements_router.post("/subjects/{subject_id}/violations", status_code=201, response_model=SubjectView)
async def report_violation(subject_id: str, body: ReportViolation, ctx: RequestContext = Context) -> Response:
    return await ctx.command(lambda uow: (201, movements.report_violation(uow, subject_id, body)))
