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
from shared.contracts.commands import RAISE_ALERT, REPORT_SIGHTING, ReportSighting
from shared.entrypoints import query_params
from shared.entrypoints.context import RequestContext
from shared.entrypoints.creates import Creates
from shared.entrypoints.web import Context


def creates(deadlines: Mapping[Severity, int]) -> list[Creates]:
    """What creates alerts and sightings: over HTTP (one and bulk) and as Kafka commands alike."""
    return [
        Creates(
            RAISE_ALERT,
            "/alerts",
            "raiseAlert",
            201,
            AlertView,
            lambda uow, body: service.raise_alert(uow, body, deadlines),
            summary="Raise a joint alert owned by this region",
        ),
        Creates(
            REPORT_SIGHTING,
            "/alerts/{alert_id}/sightings",
            "reportSighting",
            201,
            AlertView,
            lambda uow, body: service.report_sighting(uow, body.alert_id, body),
            body=ReportSighting,
            summary="Report a sighting on an alert this region owns or is asked to take part in",
            batch_summary="Many sightings of one alert at once (a camera network's feed, NDJSON), answered line "
            "by line; each line's id is the alert's",
        ),
    ]


def make_router() -> APIRouter:
    router = APIRouter(tags=["alerts"])

    @router.get("/alerts/{alert_id}", response_model=AlertView)
    async def get_alert(alert_id: str, ctx: RequestContext = Context) -> Response:
        return await ctx.query(lambda uow: (200, queries.read(uow, alert_id)))

    @router.get("/alerts", response_model=AlertPage, **query_params.route_options(AlertQuery))
    async def list_alerts(request: Request, ctx: RequestContext = Context) -> Response:
        """Newest first; `awaiting_ack=true`: the inbox, the active alerts this region has still to acknowledge,
        soonest due first."""
        query = query_params.parse(AlertQuery, request)
        return await ctx.query(lambda uow: (200, queries.search(uow, query.filters(), query.limit, query.cursor)))

    @router.post("/alerts/{alert_id}/ack", response_model=AlertView)
    async def acknowledge_alert(alert_id: str, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.acknowledge(uow, alert_id)))

    @router.post("/alerts/{alert_id}/reinforcement-requests", status_code=201, response_model=Reinforcement)
    async def request_reinforcement(
        alert_id: str, body: RequestReinforcement, ctx: RequestContext = Context
    ) -> Response:
        return await ctx.command(lambda uow: (201, service.request_reinforcement(uow, alert_id, body)))

    @router.post("/reinforcement-requests/{request_id}/respond", response_model=Reinforcement)
    async def answer_reinforcement_request(
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
async def list_reinforcement_requests(request: Request, ctx: RequestContext = Context) -> Response:
    """The requests for reinforcement (e.g. `to_region=` this region, `status=open`), pending first."""
    query = query_params.parse(ReinforcementQuery, request)
    return await ctx.query(
        lambda uow: (200, queries.reinforcement_requests(uow, query.filters(), query.limit, query.cursor))
    )
