"""Bulk over HTTP: `POST /v1/{collection}/batch` with NDJSON (`application/x-ndjson`), one command per line,
each with an optional `idempotency_key`; the answer streams one NDJSON result per line.

Each line is the body the single `POST /v1/{collection}` takes and runs through the same command
function, authorisation, audit and idempotency (keyed per line, in the batch route's own scope); lines are
applied in chunks, one transaction per chunk, the chunk's lines sharing one savepoint while they succeed
(RequestContext.each): a bad line is undone and runs alone, so it fails alone, and a good one costs a
fraction of a request. The routes themselves come from a command's declaration (creates.py).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from shared.adapters import metrics
from shared.adapters.store_errors import STORAGE_ERRORS
from shared.contracts.commands import COMMANDS
from shared.contracts.problems import Problem, validation_problem
from shared.core.uow import UnitOfWork
from shared.entrypoints.context import RequestContext
from shared.entrypoints.web import fields_fingerprint

log = logging.getLogger(__name__)
NDJSON = "application/x-ndjson"
CHUNK = 200  # lines per transaction: long enough to amortise a commit, short enough to stream steadily
MAX_KEY = 200


class BatchLineResult(BaseModel):
    """One line's outcome, in line order: the created record's id and status, or the problem (RFC 9457)."""

    line: int = Field(description="1-based line number in the request (blank lines are skipped)")
    status: int = Field(description="what the single POST would have answered")
    id: str | None = None
    record_status: str | None = None
    problem: dict[str, Any] | None = None


def route_options(model: type[BaseModel]) -> dict[str, Any]:
    """What the batch route declares in the OpenAPI: the NDJSON body (the single POST's, plus the key) and
    the NDJSON answer."""
    line = model.model_json_schema(ref_template="#/components/schemas/{model}")
    line.setdefault("properties", {})["idempotency_key"] = {"type": "string", "minLength": 1, "maxLength": MAX_KEY}
    return {
        "response_class": StreamingResponse,
        "responses": {
            200: {
                "description": "one result per line",
                "content": {NDJSON: {"schema": BatchLineResult.model_json_schema()}},
            },
            415: {"description": "not NDJSON", "content": {"application/problem+json": {}}},
        },
        "openapi_extra": {"requestBody": {"required": True, "content": {NDJSON: {"schema": line}}}},
    }


Create = Callable[[UnitOfWork, Any], tuple[int, Any]]


async def run(request: Request, ctx: RequestContext, model: type[BaseModel], create: Create) -> Response:
    if request.headers.get("content-type", "").split(";")[0].strip() != NDJSON:
        raise Problem(415, "unsupported-media-type", "Unsupported media type", f"send {NDJSON}, one command per line")
    scope = f"{ctx.principal.region.value}:{ctx.principal.subject}:POST:{request.url.path}"
    lines = [_parse(n, raw, model, create, scope) for n, raw in enumerate((await request.body()).split(b"\n"), 1)]
    kept = [line for line in lines if line is not None]
    if not kept:  # nothing to do is a client's mistake, said as one (an empty answer would say nothing)
        raise Problem(422, "empty-batch", "Empty batch", "send at least one command, one JSON object per line")
    return StreamingResponse(_answers(ctx, _command_type(model), _results(ctx, kept)), media_type=NDJSON)


def _command_type(model: type[BaseModel]) -> str:
    """The command a bulk line is (for the metric): the declared command whose body this is."""
    return next((c.type for c in COMMANDS.values() if issubclass(c.model, model)), model.__name__)


def _answers(ctx: RequestContext, command_type: str, chunks: Iterator[list[dict[str, Any]]]) -> Iterator[bytes]:
    """Each chunk's results as NDJSON lines, counted as they go out: one write per chunk, since every
    piece a streaming response sends costs a hop to the threadpool and an ASGI send."""
    labels = ctx.runtime.settings.metric_labels
    for results in chunks:
        for status, count in Counter(result["status"] for result in results).items():
            metrics.COMMANDS.labels(via="bulk", type=command_type, status=str(status), **labels).inc(count)
        yield b"".join(orjson.dumps(result) + b"\n" for result in results)


def _parse(number: int, raw: bytes, model: type[BaseModel], create: Create, scope: str) -> dict[str, Any] | None:
    """A line ready to run (`work`), or its problem already (`result`); None for a blank line."""
    if not raw.strip():
        return None
    try:
        fields = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _failed(number, Problem(400, "malformed-body", "Malformed line", "the line is not valid JSON"))
    if not isinstance(fields, dict):
        return _failed(number, Problem(400, "malformed-body", "Malformed line", "each line is one JSON object"))
    key = fields.pop("idempotency_key", None)
    if key is not None and not (isinstance(key, str) and 0 < len(key) <= MAX_KEY):
        message = f"a string of 1 to {MAX_KEY} characters"
        return _failed(number, Problem(422, "validation", "Invalid request", f"idempotency_key: {message}"))
    try:
        body = model.model_validate(fields)
    except ValidationError as error:
        return _failed(number, validation_problem(list(error.errors())))
    fingerprint = fields_fingerprint(fields) if key else ""
    return {"line": number, "work": lambda uow: create(uow, body), "key": (scope, key, fingerprint)}


def _failed(number: int, problem: Problem) -> dict[str, Any]:
    return {"line": number, "result": {"line": number, "status": problem.status, "problem": problem.body()}}


def _results(ctx: RequestContext, lines: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The lines' results, a transaction's worth (CHUNK lines) at a time."""
    for start in range(0, len(lines), CHUNK):
        chunk = lines[start : start + CHUNK]
        runnable = [line for line in chunk if "work" in line]
        try:
            outcomes = iter(ctx.each([(line["work"], line["key"]) for line in runnable]))
        except STORAGE_ERRORS:  # a full disk: this chunk rolled back; nothing more is tried
            log.error("storage unavailable during a batch", extra={"lines": len(lines) - start})
            yield _unwritten(lines[start:])
            return
        yield [line.get("result") or _outcome(line["line"], *next(outcomes)) for line in chunk]


def _unwritten(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    problem = Problem(503, "storage-unavailable", "Storage unavailable", "this line was not written; send it again")
    return [line.get("result") or {"line": line["line"], "status": 503, "problem": problem.body()} for line in lines]


def _outcome(number: int, status: int, payload: Any) -> dict[str, Any]:
    if status >= 400:
        return {"line": number, "status": status, "problem": payload}
    return {
        "line": number,
        "status": status,
        "id": payload.get("id") or payload.get("number"),
        "record_status": payload.get("status"),
    }
