"""Enforcement routes: translate HTTP into use cases and back, nothing more."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.enforcement import queries, service
from services.enforcement.models import (
    BenchmarkQuery,
    ConsistencyQuery,
    DecisionQuery,
    InForceQuery,
    ProposeBenchmark,
    ReviseBenchmark,
    SignOff,
    SimilarCases,
    Vote,
)
from services.enforcement.service import Config
from services.enforcement.views import (
    BenchmarkPage,
    BenchmarkVersion,
    BenchmarkView,
    ConsistencyReport,
    DecisionPage,
    DecisionParty,
    DecisionView,
    SimilarCasesAnswer,
)
from shared.contracts.commands import RECORD_DECISION
from shared.contracts.regions import zone_today
from shared.core.uow import UnitOfWork
from shared.entrypoints import query_params
from shared.entrypoints.context import RequestContext
from shared.entrypoints.creates import Creates
from shared.entrypoints.web import Context


def creates(config: Config) -> list[Creates]:
    """What records decisions: over HTTP (one and bulk) and as Kafka commands alike."""
    return [
        Creates(
            RECORD_DECISION,
            "/decisions",
            "recordDecision",
            201,
            DecisionView,
            service.record_decision,
            summary="Record a penalty decision, measured against the benchmark in force on the violation date",
        )
    ]


def make_router(config: Config) -> APIRouter:
    router = APIRouter(tags=["enforcement"])

    @router.post("/benchmarks", status_code=201, response_model=BenchmarkView)
    async def propose_benchmark(body: ProposeBenchmark, ctx: RequestContext = Context) -> Response:
        """Propose a zone benchmark (in force once the three regions approve it) or a local variant."""
        return await ctx.command(lambda uow: (201, service.propose(uow, body)))

    @router.get("/benchmarks", response_model=BenchmarkPage, **query_params.route_options(BenchmarkQuery))
    async def list_benchmarks(request: Request, ctx: RequestContext = Context) -> Response:
        query = query_params.parse(BenchmarkQuery, request)
        return await ctx.query(
            lambda uow: (200, queries.search_benchmarks(uow, query.filters(), query.limit, query.cursor))
        )

    @router.get("/benchmarks/in-force", response_model=BenchmarkVersion, **query_params.route_options(InForceQuery))
    async def benchmark_in_force(request: Request, ctx: RequestContext = Context) -> Response:
        """The benchmark version in force for a code on a day in a region (its local variant, else the zone's)."""
        query = query_params.parse(InForceQuery, request)
        return await ctx.query(lambda uow: (200, queries.in_force(uow, query.code, query.on, query.region)))

    @router.get("/benchmarks/{benchmark_id}", response_model=BenchmarkView)
    async def get_benchmark(benchmark_id: str, ctx: RequestContext = Context) -> Response:
        """The benchmark with every version and every region's vote on it."""
        return await ctx.query(lambda uow: (200, queries.read_benchmark(uow, benchmark_id)))

    @router.post("/benchmarks/{benchmark_id}/revisions", status_code=201, response_model=BenchmarkView)
    async def revise_benchmark(benchmark_id: str, body: ReviseBenchmark, ctx: RequestContext = Context) -> Response:
        """The owner's next version, after an objection or to amend an adopted one."""
        return await ctx.command(lambda uow: (201, service.revise(uow, benchmark_id, body)))

    @router.post("/benchmarks/{benchmark_id}/votes", response_model=BenchmarkView)
    async def vote_on_benchmark(benchmark_id: str, body: Vote, ctx: RequestContext = Context) -> Response:
        """This region approves a version, or objects with its reasons."""
        return await ctx.command(lambda uow: (200, service.vote(uow, benchmark_id, body)))

    _decision_routes(router, config)
    return router


def _decision_routes(router: APIRouter, config: Config) -> None:
    @router.get("/decisions", response_model=DecisionPage, **query_params.route_options(DecisionQuery))
    async def list_decisions(request: Request, ctx: RequestContext = Context) -> Response:
        query = query_params.parse(DecisionQuery, request)
        return await ctx.query(
            lambda uow: (200, queries.search_decisions(uow, query.filters(), query.limit, query.cursor))
        )

    @router.get("/decisions/{decision_id}", response_model=DecisionView)
    async def get_decision(decision_id: str, ctx: RequestContext = Context) -> Response:
        return await ctx.query(lambda uow: (200, queries.read_decision(uow, decision_id)))

    @router.get("/decisions/{decision_id}/party", response_model=DecisionParty)
    async def get_decision_party(decision_id: str, ctx: RequestContext = Context) -> Response:
        """The party in full (X-Purpose: law-enforcement), held and audited by the deciding region."""
        return await ctx.read_from_holder(
            lambda uow: queries.read_party(uow, decision_id),
            lambda uow: queries.decider_of(uow, decision_id),
            f"/v1/decisions/{decision_id}/party",
        )

    @router.post("/decisions/{decision_id}/sign-off", response_model=DecisionView)
    async def sign_off_decision(decision_id: str, body: SignOff, ctx: RequestContext = Context) -> Response:
        """The region's legal review of a decision outside its range: approved (final) or rejected."""
        return await ctx.command(lambda uow: (200, service.sign_off(uow, decision_id, body)))

    @router.post("/similar-cases", response_model=SimilarCasesAnswer)
    async def similar_cases(body: SimilarCases, ctx: RequestContext = Context) -> Response:
        """The tier these factors fall in, and what each region decided for that code and tier (类案检索)."""

        def answer(uow: UnitOfWork) -> tuple[int, dict]:
            uow.access.require_any_grant("enforcement.read")
            on = body.violation_date or zone_today()
            benchmark, rule, fines = service.measure(uow, body.code, on, body.factors)
            return 200, {
                "code": body.code,
                "tier": rule.tier.value,
                "benchmark_id": benchmark["benchmark_id"],
                "benchmark_version": benchmark["version"],
                "fine_min_yuan": fines.low,
                "fine_max_yuan": fines.high,
                "regions": queries.similar_cases(uow, body.code, rule.tier.value),
            }

        return await ctx.query(answer)

    @router.get("/consistency", response_model=ConsistencyReport, **query_params.route_options(ConsistencyQuery))
    async def consistency(request: Request, ctx: RequestContext = Context) -> Response:
        """Per code and tier, the regions' decisions of a month compared (同案同罚监测)."""
        query = query_params.parse(ConsistencyQuery, request)
        return await ctx.query(lambda uow: (200, queries.consistency_report(uow, query.month, config)))
