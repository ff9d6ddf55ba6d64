"""A command that creates records, declared once. One `Creates` gives the single `POST {path}`, its NDJSON
`POST {path}/batch`, the Kafka command type it answers on `{region}.{domain}.commands` (and so its AsyncAPI
entry, from the contracts' COMMANDS), and the OpenAPI operations `{operation_id}` and
`{operation_id}Batch` that the typed client is checked against.

A command whose path names its parent (a sighting of `/alerts/{alert_id}`) takes the parent from the path
over HTTP and from the body on Kafka (`ReportSightingOf` is `ReportSighting` with `alert_id`): the
command function always gets the Kafka body.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from shared.contracts.commands import CommandType
from shared.core.uow import UnitOfWork
from shared.entrypoints import batch
from shared.entrypoints.batch import Create
from shared.entrypoints.context import RequestContext
from shared.entrypoints.web import Context

_PARAMETER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Creates:
    command: CommandType[Any]  # the type string on Kafka and the body there
    path: str  # under /v1: "/filings", "/alerts/{alert_id}/sightings"
    operation_id: str  # "submitFiling"; the bulk route is "{operation_id}Batch"
    status: int  # what a created record answers: 201, or 202 when another region decides next
    response: type[BaseModel]
    run: Callable[[UnitOfWork, Any], Any]  # the command function: (unit of work, Kafka body) -> the record
    body: type[BaseModel] | None = None  # the HTTP body, when the path carries the rest (default: the command's)
    summary: str = ""
    batch_summary: str = ""

    @property
    def http_body(self) -> type[BaseModel]:
        return self.body or self.command.model

    @cached_property  # asked on every request: the path is read once
    def parent(self) -> str | None:
        """The path parameter the Kafka body carries as a field, if any."""
        names = _PARAMETER.findall(self.path)
        return names[0] if names else None

    def answer(self, uow: UnitOfWork, body: Any) -> tuple[int, Any]:
        return self.status, self.run(uow, body)

    def from_http(self, body: BaseModel, parent: str | None) -> Any:
        """The command's body from the HTTP body (and the parent named in the path)."""
        if self.parent is None:
            return body
        return self.command.model.model_construct(**dict(body), **{self.parent: parent})


def kafka_handlers(declared: Iterable[Creates]) -> dict[str, Create]:
    """What the command consumer runs, by command type."""
    return {c.command.type: c.answer for c in declared}


def router(declared: Iterable[Creates], tag: str) -> APIRouter:
    """The single and bulk routes of each declared command."""
    routes = APIRouter(tags=[tag])
    for creates in declared:
        _single(routes, creates)
        _bulk(routes, creates)
    return routes


def _single(routes: APIRouter, creates: Creates) -> None:
    async def create(ctx: RequestContext = Context, **arguments: Any) -> Response:
        body = creates.from_http(arguments["body"], arguments.get(creates.parent or ""))
        return await ctx.command(lambda uow: creates.answer(uow, body))

    parameters = [*_path_parameters(creates), _parameter("body", creates.http_body), _context()]
    create.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    routes.add_api_route(
        creates.path,
        create,
        methods=["POST"],
        status_code=creates.status,
        response_model=creates.response,
        operation_id=creates.operation_id,
        name=creates.operation_id,
        summary=creates.summary or None,
    )


def _bulk(routes: APIRouter, creates: Creates) -> None:
    async def create_many(request: Request, ctx: RequestContext = Context, **arguments: Any) -> Response:
        parent = arguments.get(creates.parent or "")
        return await batch.run(
            request, ctx, creates.http_body, lambda uow, body: creates.answer(uow, creates.from_http(body, parent))
        )

    parameters = [*_path_parameters(creates), _parameter("request", Request), _context()]
    create_many.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    summary = creates.batch_summary or f"Many at once (NDJSON): each line as `POST {creates.path}` takes it"
    routes.add_api_route(
        f"{creates.path}/batch",
        create_many,
        methods=["POST"],
        operation_id=f"{creates.operation_id}Batch",
        name=f"{creates.operation_id}Batch",
        summary=summary,
        **batch.route_options(creates.http_body),
    )


def _path_parameters(creates: Creates) -> list[inspect.Parameter]:
    return [_parameter(name, str) for name in _PARAMETER.findall(creates.path)]


def _parameter(name: str, annotation: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)


def _context() -> inspect.Parameter:
    return inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, default=Context, annotation=RequestContext)
