"""Alerts routes: translate HTTP into use cases and back, nothing more."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.alerts import queries, service
from services.alerts.models import (
    AlertQuery,
    AnswerReinforcement,
    CloseAlert,
    ReinforcementQuery,
    RequestReinforcement,
    UpdateAlert,
)
from services.alerts.views import AlertPage, AlertView, Reinforcement, ReinforcementPage
from shared.contracts.alerts import Severity
from shared.contracts.commands import RAISE_ALERT, REPORT_SIGHTING, RaiseAlert, ReportSighting, ReportSightingOf
from shared.core.context import RequestContext
from shared.core.uow import UnitOfWork
from shared.entrypoints import batch, query_params
from shared.entrypoints.batch import Create
from shared.entrypoints.web import Context


def handlers(deadlines: Mapping[Severity, int]) -> dict[str, Create]:
    """What creates records, by command type: the HTTP routes (one and bulk) and the Kafka commands alike."""

    def raise_one(uow: UnitOfWork, body: RaiseAlert) -> tuple[int, dict]:
        return 201, service.raise_alert(uow, body, deadlines)

    def sighting(uow: UnitOfWork, body: ReportSightingOf) -> tuple[int, dict]:
        return 201, service.report_sighting(uow, body.alert_id, body)

    return {RAISE_ALERT.type: raise_one, REPORT_SIGHTING.type: sighting}


def make_router(deadlines: Mapping[Severity, int]) -> APIRouter:
    router = APIRouter(tags=["alerts"])
    raise_one = handlers(deadlines)[RAISE_ALERT.type]

    @router.post("/alerts", status_code=201, response_model=AlertView)
    async def raise_alert(body: RaiseAlert, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: raise_one(uow, body))

    @router.post("/alerts/batch", **batch.route_options(RaiseAlert))
    async def raise_batch(request: Request, ctx: RequestContext = Context) -> Response:
        """Many alerts at once (NDJSON): each line as `POST /alerts` takes it, answered line by line."""
        return await batch.run(request, ctx, RaiseAlert, raise_one)

    @router.get("/alerts/{alert_id}", response_model=AlertView)
    async def get_alert(alert_id: str, ctx: RequestContext = Context) -> Response:
        return await ctx.query(lambda uow: (200, queries.read(uow, alert_id)))

    @router.get("/alerts", response_model=AlertPage, **query_params.route_options(AlertQuery))
    async def list_alerts(request: Request, ctx: RequestContext = Context) -> Response:
        query = query_params.parse(AlertQuery, request)
        return await ctx.query(lambda uow: (200, queries.search(uow, query.filters(), query.limit, query.cursor)))

    @router.post("/alerts/{alert_id}/ack", response_model=AlertView)
    async def acknowledge(alert_id: str, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.acknowledge(uow, alert_id)))

    @router.post("/alerts/{alert_id}/sightings", status_code=201, response_model=AlertView)
    async def report_sighting(alert_id: str, body: ReportSighting, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (201, service.report_sighting(uow, alert_id, body)))

    @router.post("/alerts/{alert_id}/sightings/batch", **batch.route_options(ReportSighting))
    async def report_sightings(alert_id: str, request: Request, ctx: RequestContext = Context) -> Response:
        """Many sightings of one alert at once (a camera network's feed, NDJSON), answered line by line; each
        line's id is the alert's."""
        return await batch.run(
            request, ctx, ReportSighting, lambda uow, body: (201, service.report_sighting(uow, alert_id, body))
        )

    @router.post("/alerts/{alert_id}/reinforcement-requests", status_code=201, response_model=Reinforcement)
    async def request_reinforcement(
        alert_id: str, body: RequestReinforcement, ctx: RequestContext = Context
    ) -> Response:
        return await ctx.command(lambda uow: (201, service.request_reinforcement(uow, alert_id, body)))

    @router.post("/reinforcement-requests/{request_id}/respond", response_model=Reinforcement)
    async def answer_reinforcement(
        request_id: str, body: AnswerReinforcement, ctx: RequestContext = Context
    ) -> Response:
        return await ctx.command(lambda uow: (200, service.answer_reinforcement(uow, request_id, body)))

    @router.patch("/alerts/{alert_id}", response_model=AlertView)
    async def update_alert(alert_id: str, body: UpdateAlert, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.update_alert(uow, alert_id, body)))

    @router.post("/alerts/{alert_id}/close", response_model=AlertView)
    async def close_alert(alert_id: str, body: CloseAlert, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.close_alert(uow, alert_id, body.outcome)))

    return router


# The requests for reinforcement, across alerts: what a duty officer answers.
requests_router = APIRouter(tags=["alerts"])


@requests_router.get(
    "/reinforcement-requests", response_model=ReinforcementPage, **query_params.route_options(ReinforcementQuery)
)
async def list_reinforcements(request: Request, ctx: RequestContext = Context) -> Response:
    """The requests for reinforcement (e.g. `to_region=` this region, `status=open`), pending first."""
    query = query_params.parse(ReinforcementQuery, request)
    return await ctx.query(
        lambda uow: (200, queries.reinforcement_requests(uow, query.filters(), query.limit, query.cursor))
    )
