"""`GET /v1/daily?date=YYYY-MM-DD`: how many events of each type each region wrote on one day (Beijing
time), counted in this store's timelines. Every region's records are projected here, so any region's
instance answers for the whole zone, exactly and for any past day (Prometheus keeps 15 days, and only
estimates). Aggregates only, for operators and supervisors: the operations page and the daily digest."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from shared.adapters.records import to_db
from shared.contracts.fields import Day
from shared.contracts.regions import ZONE_TZ
from shared.contracts.views import DailyCounts
from shared.core.uow import UnitOfWork
from shared.entrypoints.context import RequestContext
from shared.entrypoints.web import Context

router = APIRouter(tags=["operations"])


def counted(conn: Any, day: date) -> dict[str, dict[str, int]]:
    """{writing region: {event name: count}} of the events written on `day` (from the timeline's index)."""
    start = datetime.combine(day, time(0), ZONE_TZ)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = conn.execute(
        "SELECT region, type, count(*) FROM timeline WHERE at >= ? AND at < ? GROUP BY region, type",
        (to_db(start), to_db(start + timedelta(days=1))),
    )
    for region, name, n in rows:
        counts[region][name] = n
    return dict(counts)


@router.get("/daily", response_model=DailyCounts)
async def daily_counts(day: Annotated[Day, Query(alias="date")], ctx: RequestContext = Context) -> Response:
    """The day's events by writing region and type (operators and supervisors; aggregates only)."""

    def work(uow: UnitOfWork) -> tuple[int, Any]:
        uow.access.authorize_write("ops.console")
        return 200, {"day": day.isoformat(), "counts": counted(uow.conn, day)}

    return await ctx.query(work)
