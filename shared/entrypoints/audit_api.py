"""`GET /v1/audit`: a region's supervisors read who accessed what and why (filter by record, actor, time)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from shared.adapters import audit
from shared.contracts.fields import Instant
from shared.contracts.pagination import Cursor, decode_cursor, page
from shared.contracts.views import AuditPage
from shared.core.uow import UnitOfWork
from shared.entrypoints.context import RequestContext
from shared.entrypoints.web import Context
from shared.rules.policy import DataClass

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=AuditPage)
async def list_audit_entries(
    ctx: RequestContext = Context,
    record: str | None = None,
    actor: str | None = None,
    since: Instant | None = None,
    until: Instant | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Cursor | None = None,
) -> Response:
    def work(uow: UnitOfWork) -> tuple[int, Any]:
        uow.access.authorize_write("audit.read", data_class=DataClass.AUDIT_LOG)
        filters = {"record": record, "actor": actor, "since": since, "until": until}
        before = decode_cursor(cursor, 1)[0] if cursor else None
        entries = [e.model_dump(mode="json") for e in audit.search(uow.conn, filters, limit + 1, before)]
        return 200, page(entries, limit, lambda e: (e["index"],))

    return await ctx.query(work)
