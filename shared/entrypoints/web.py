"""The app factory every service uses: health, readiness, metrics, problem+json errors, correlation ids,
bearer-token authentication, and the request context through which routes read and write."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from shared.adapters import metrics
from shared.adapters.gate import Gate
from shared.adapters.store_errors import STORAGE_ERRORS
from shared.adapters.tokens import Principal
from shared.contracts import asyncapi
from shared.contracts.problems import PROBLEM_JSON, PUBLIC_PROBLEMS, V1_PROBLEMS, Problem, validation_problem
from shared.contracts.regions import Domain
from shared.contracts.views import View
from shared.core.uow import UnitOfWork
from shared.entrypoints.api_docs import add_api_docs
from shared.entrypoints.context import RequestContext
from shared.entrypoints.runtime import Runtime

log = logging.getLogger(__name__)


class OrjsonResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def problem_response(problem: Problem, request: Request, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(problem.body(request.url.path)),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


async def request_context(request: Request) -> RequestContext:
    """The gate has authenticated the caller (shared/adapters/gate.py); the body, if any, is already read."""
    principal: Principal = request.state.principal
    purpose = request.headers.get("x-purpose")
    key = request.headers.get("idempotency-key")
    return RequestContext(
        runtime=request.app.state.runtime,
        principal=principal,
        correlation_id=request.state.correlation_id,
        purpose=purpose,
        idempotency_key=key,
        method=request.method,
        path=request.url.path,
        authorization=request.headers.get("authorization", ""),
        # Only a keyed request is ever compared with an earlier one.
        body_fingerprint=fingerprint(await request.body(), purpose) if key else "",
    )


def fingerprint(body: bytes, purpose: str | None) -> str:
    """What an Idempotency-Key is bound to besides caller and route: the body (as canonical JSON, so
    key order and spacing do not matter) and the declared purpose."""
    try:
        return fields_fingerprint(orjson.loads(body), purpose) if body else _digest(b"", purpose)
    except orjson.JSONDecodeError:
        return _digest(body, purpose)


def fields_fingerprint(fields: Any, purpose: str | None = None) -> str:
    """The same for a body already parsed (a bulk line, a command on Kafka)."""
    return _digest(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS), purpose)


def _digest(canonical: bytes, purpose: str | None) -> str:
    return hashlib.sha256(canonical + b"\x00" + (purpose or "").encode()).hexdigest()


Context = Depends(request_context)


async def on_problem(request: Request, problem: Problem) -> Response:
    headers = {"www-authenticate": 'Bearer realm="yrd"'} if problem.status == 401 else None
    return problem_response(problem, request, headers)


async def on_invalid(request: Request, error: RequestValidationError) -> Response:
    return problem_response(validation_problem(list(error.errors())), request)


async def on_http(request: Request, error: StarletteHTTPException) -> Response:
    slug = {400: "malformed-body", 404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
    headers = {"allow": allowed_methods(request)} if error.status_code == 405 else error.headers
    return problem_response(Problem(error.status_code, slug, str(error.detail)), request, headers)


def allowed_methods(request: Request) -> str:
    """A 405's `Allow` header (RFC 9110): the methods of the path's routes. Starlette's own names only the
    first route matching the path, and a path such as /v1/filings has one route per method; of the routes
    that match, the most literal are the path's (/v1/filings/batch, not /v1/filings/{filing_id})."""
    routes = [r for r in request.app.router.routes if r.matches(request.scope)[0] is not Match.NONE]
    fewest = min((len(r.param_convertors) for r in routes), default=0)
    return ", ".join(sorted({m for r in routes if len(r.param_convertors) == fewest for m in r.methods or ()}))


async def on_storage(request: Request, error: Exception) -> Response:
    # A full disk or a store that cannot be written: the transaction rolled back, nothing was kept.
    # 503 with Retry-After says "not done, try again" (a 500 would leave the client guessing).
    log.error("storage unavailable", extra={"path": request.url.path, "error": str(error)[:200]})
    problem = Problem(503, "storage-unavailable", "Storage unavailable", "nothing was written; retry later")
    return problem_response(problem, request, {"retry-after": "5"})


async def on_crash(request: Request, error: Exception) -> Response:
    log.exception("unhandled error", extra={"path": request.url.path})
    return problem_response(Problem(500, "internal", "Internal error", "the error was logged"), request)


# Every error becomes an RFC 9457 problem: the caller's (4xx), the store's (503), ours (500, logged).
PROBLEM_ANSWERS: dict[type[Exception], Callable[[Request, Any], Awaitable[Response]]] = {
    Problem: on_problem,
    RequestValidationError: on_invalid,
    StarletteHTTPException: on_http,
    **dict.fromkeys(STORAGE_ERRORS, on_storage),
    Exception: on_crash,
}


class Readiness(View):
    status: Literal["ready", "not-ready"]
    checks: dict[str, bool]  # store (writable), workers (alive), kafka (answers)


def operations_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "process": str(os.getpid())}  # which of the instance's processes answered

    @functools.cache
    def events() -> bytes:  # built on first request, not at every instance's start
        return orjson.dumps(asyncapi.document([runtime.settings.service, Domain.AUDIT]))

    @router.get("/asyncapi.json", responses={200: {"content": {"application/json": {}}}})
    async def get_asyncapi() -> Response:
        """The events this service publishes and consumes, and their topics: AsyncAPI 3.0 (docs/asyncapi.yaml
        has the whole zone's)."""
        return Response(events(), media_type="application/json")

    @router.get("/readyz", response_model=Readiness, responses={503: {"description": "Store or Kafka unreachable"}})
    def readyz() -> Response:
        checks = runtime.readiness()
        body = {"status": "ready" if all(checks.values()) else "not-ready", "checks": checks}
        return OrjsonResponse(body, status_code=200 if all(checks.values()) else 503)

    @router.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={
            200: {"content": {"text/plain": {}}, "description": "Prometheus text format"},
            **{k: v for k, v in V1_PROBLEMS.items() if k in (401, 403)},
        },
    )
    async def scrape_metrics(ctx: RequestContext = Context) -> Response:
        """Operators (and supervisors) of this instance's region; scrape with a bearer token."""

        def authorize(uow: UnitOfWork) -> tuple[int, None]:
            uow.access.authorize_write("ops.metrics", audit_allowed=False)
            return 200, None

        await ctx.query(authorize)
        return Response(await run_in_threadpool(scrape), media_type=CONTENT_TYPE_LATEST)

    def scrape() -> bytes:  # readiness asks for the writer lock: in a worker thread, not on the event loop
        runtime.refresh_gauges()
        return metrics.exposition()  # served by several processes: the instance's values

    return router


def create_app(
    runtime: Runtime, title: str, routers: list[APIRouter], public_routers: Sequence[APIRouter] = ()
) -> FastAPI:
    """The instance's app; its lifespan starts and stops the runtime's relay, consumer and scanners.
    `public_routers` answer under /public/v1 without a login (the gate lets them through, small bodies)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.start(settle_heap=True)  # a served instance: its start-up heap frozen out of full collections
        yield
        runtime.stop()

    app = FastAPI(
        title=title,
        version="1",
        lifespan=lifespan,
        default_response_class=OrjsonResponse,
        # FastAPI's native OpenTelemetry hooks ask for a tracer provider on every request (8% of a
        # POST's CPU in a profile); this project's metrics are Prometheus, served by /metrics.
        telemetry={"tracing": False, "metrics": False},
        docs_url=None,  # /docs and /redoc with their assets served here, not from a CDN (api_docs.py)
        redoc_url=None,
    )
    add_api_docs(app)
    app.state.runtime = runtime
    app.add_middleware(
        Gate,
        trust=runtime.trust,
        max_body_bytes=runtime.settings.max_body_bytes,
        max_batch_bytes=runtime.settings.max_batch_bytes,
        labels=runtime.settings.metric_labels,
    )
    for kind, answer in PROBLEM_ANSWERS.items():
        app.add_exception_handler(kind, answer)
    add_routes(app, operations_router(runtime))
    for router in routers:
        add_routes(app, router, "/v1", V1_PROBLEMS)
    for router in public_routers:
        add_routes(app, router, "/public/v1", PUBLIC_PROBLEMS)
    return app


def operation_id(name: str) -> str:
    """A route's stable operation id, from its endpoint's name: `list_filings` is `listFilings`, which every
    client generated from the OpenAPI names its method after (FastAPI's default adds the path and method)."""
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def add_routes(app: FastAPI, router: APIRouter, prefix: str = "", responses: dict | None = None) -> None:
    """The router's routes, added to the app itself under `prefix`, as `include_router` once did. FastAPI
    0.16x includes a router as a branch that is matched twice per request (to pick it, then inside it): a
    tenth of a short request's CPU. The OpenAPI document is the same either way (`make schemas` checks)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r}: only API routes are added this way")
        app.router.add_api_route(
            prefix + route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses={**(responses or {}), **route.responses},
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id or operation_id(route.name),
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            openapi_extra=route.openapi_extra,
        )
