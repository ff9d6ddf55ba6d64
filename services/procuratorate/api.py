"""Procuratorate routes: translate HTTP into use cases and back, nothing more. Reading a record addressed
to this office is a write (it earns the sender a delivered receipt), so those reads run as commands."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.procuratorate import joint, materials, queries, service, texts
from services.procuratorate.config import Config
from services.procuratorate.models import (
    Answer,
    Assign,
    AssistanceQuery,
    Contribute,
    DecideReferral,
    DecideStep,
    JointCaseQuery,
    MaterialQuery,
    ReferralQuery,
    RegisterMaterial,
)
from services.procuratorate.views import (
    AssistancePage,
    AssistanceView,
    Evidence,
    HeldTexts,
    JointCasePage,
    JointCaseView,
    MaterialContent,
    MaterialPage,
    MaterialView,
    ReferralPage,
    ReferralView,
)
from shared.contracts.commands import OPEN_JOINT_CASE, REFER_CLUE, REQUEST_ASSISTANCE
from shared.contracts.problems import Problem
from shared.contracts.regions import Region
from shared.entrypoints import query_params
from shared.entrypoints.context import RequestContext
from shared.entrypoints.creates import Creates
from shared.entrypoints.web import Context
from shared.rules.policy import Purpose


def creates(config: Config) -> list[Creates]:
    """What creates referrals, assistance requests and joint cases: over HTTP (one and bulk) and as Kafka
    commands alike. Materials are not among them: their content never travels on a topic."""
    return [
        Creates(
            REFER_CLUE,
            "/referrals",
            "referClue",
            202,
            ReferralView,
            lambda uow, body: service.refer(uow, config, body),
            summary="Refer a case clue to the region with jurisdiction (线索移送); that region decides",
        ),
        Creates(
            REQUEST_ASSISTANCE,
            "/assistance-requests",
            "requestAssistance",
            202,
            AssistanceView,
            lambda uow, body: service.request_assistance(uow, config, body),
            summary="Ask another region's procuratorate for investigative assistance (协助调查)",
        ),
        Creates(
            OPEN_JOINT_CASE,
            "/joint-cases",
            "openJointCase",
            201,
            JointCaseView,
            joint.open_case,
            summary="Open a cross-region public-interest case led by this region (公益诉讼协作)",
        ),
    ]


def make_router(config: Config) -> APIRouter:
    router = APIRouter(tags=["procuratorate"])
    _referral_routes(router, config)
    _assistance_routes(router, config)
    _joint_routes(router)
    _material_routes(router, config)

    @router.get("/texts/{record_id}/{holder_region}", response_model=HeldTexts)
    async def get_held_texts(record_id: str, holder_region: Region, ctx: RequestContext = Context) -> Response:
        """The texts `holder_region` wrote for a referral, request or joint case (X-Purpose: prosecution),
        from that region point to point, authorised and audited there; for the record's parties only."""
        return await _held_texts(ctx, record_id, holder_region.value)

    @router.get("/evidence/{record_id}", response_model=Evidence)
    async def export_evidence(record_id: str, ctx: RequestContext = Context) -> Response:
        """The record's delivery receipts as one document signed by the sending region (its instance)."""
        return await ctx.query(lambda uow: (200, materials.export(uow, config, record_id)))

    return router


def _held_texts(ctx: RequestContext, record_id: str, holder: str):
    return ctx.read_from_holder(
        lambda uow: texts.read(uow, record_id, holder), lambda uow: holder, f"/v1/texts/{record_id}/{holder}"
    )


async def _with_texts(ctx: RequestContext, answer: Response) -> Response:
    """A record view with the texts this reader may read, each from its holder; asked for with purpose
    `prosecution` only (a plain view audits no read of detail). A text refused or unreachable stays null."""
    if answer.status_code != 200 or ctx.purpose != Purpose.PROSECUTION.value:
        return answer
    view = orjson.loads(answer.body)
    for holder in sorted({text["holder_region"] for text in view["texts"]}):
        try:
            served = await _held_texts(ctx, view["id"], holder)
        except Problem:
            continue
        texts.fill(view, holder, orjson.loads(served.body)["texts"])
    return Response(orjson.dumps(view), media_type="application/json")


def _list(table: str, model: type, request: Request, ctx: RequestContext):
    query = query_params.parse(model, request)
    return ctx.query(lambda uow: (200, queries.search(uow, table, query.filters(), query.limit, query.cursor)))


def _referral_routes(router: APIRouter, config: Config) -> None:
    @router.get("/referrals/{referral_id}", response_model=ReferralView)
    async def get_referral(referral_id: str, ctx: RequestContext = Context) -> Response:
        """A referral; the receiving office opening it earns the sender its delivered and retrieved receipts."""
        answer = await ctx.command(lambda uow: (200, service.open_referral(uow, config, referral_id)))
        return await _with_texts(ctx, answer)

    @router.post("/referrals/{referral_id}/decision", response_model=ReferralView)
    async def decide_referral(referral_id: str, body: DecideReferral, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.decide_referral(uow, referral_id, body)))

    @router.get("/referrals", response_model=ReferralPage, **query_params.route_options(ReferralQuery))
    async def list_referrals(request: Request, ctx: RequestContext = Context) -> Response:
        return await _list("referrals", ReferralQuery, request, ctx)


def _assistance_routes(router: APIRouter, config: Config) -> None:
    @router.get("/assistance-requests/{request_id}", response_model=AssistanceView)
    async def get_assistance_request(request_id: str, ctx: RequestContext = Context) -> Response:
        answer = await ctx.command(lambda uow: (200, service.open_assistance(uow, config, request_id)))
        return await _with_texts(ctx, answer)

    @router.post("/assistance-requests/{request_id}/assignment", response_model=AssistanceView)
    async def assign_assistance(request_id: str, body: Assign, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, service.assign(uow, request_id, body)))

    @router.post("/assistance-requests/{request_id}/answer", response_model=AssistanceView)
    async def answer_assistance(request_id: str, body: Answer, ctx: RequestContext = Context) -> Response:
        """The assignee answers an assigned request: its results, and the materials that go with them."""
        return await ctx.command(lambda uow: (200, service.answer(uow, request_id, body)))

    @router.get("/assistance-requests", response_model=AssistancePage, **query_params.route_options(AssistanceQuery))
    async def list_assistance_requests(request: Request, ctx: RequestContext = Context) -> Response:
        return await _list("assistance", AssistanceQuery, request, ctx)


def _joint_routes(router: APIRouter) -> None:
    @router.get("/joint-cases/{case_id}", response_model=JointCaseView)
    async def get_joint_case(case_id: str, ctx: RequestContext = Context) -> Response:
        return await _with_texts(ctx, await ctx.query(lambda uow: (200, queries.read_case(uow, case_id))))

    @router.post("/joint-cases/{case_id}/findings", status_code=201, response_model=JointCaseView)
    async def contribute_finding(case_id: str, body: Contribute, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (201, joint.contribute(uow, case_id, body)))

    @router.post("/joint-cases/{case_id}/steps", response_model=JointCaseView)
    async def decide_step(case_id: str, body: DecideStep, ctx: RequestContext = Context) -> Response:
        """The lead region's chief decides a procedural step; every participant sees it."""
        return await ctx.command(lambda uow: (200, joint.decide_step(uow, case_id, body)))

    @router.get("/joint-cases", response_model=JointCasePage, **query_params.route_options(JointCaseQuery))
    async def list_joint_cases(request: Request, ctx: RequestContext = Context) -> Response:
        return await _list("joint_cases", JointCaseQuery, request, ctx)


def _material_routes(router: APIRouter, config: Config) -> None:
    @router.post("/materials", status_code=201, response_model=MaterialView)
    async def register_material(body: RegisterMaterial, ctx: RequestContext = Context) -> Response:
        """Keep a material here, with this office; the record's other parties learn its description."""
        return await ctx.command(lambda uow: (201, materials.register(uow, config, body)))

    @router.get("/materials/{material_id}", response_model=MaterialView)
    async def get_material(material_id: str, ctx: RequestContext = Context) -> Response:
        return await ctx.command(lambda uow: (200, materials.open_material(uow, config, material_id)))

    @router.get("/materials/{material_id}/content", response_model=MaterialContent)
    async def get_material_content(material_id: str, ctx: RequestContext = Context) -> Response:
        """The content (X-Purpose: prosecution), from its holder point to point, authorised and audited
        there; opened by a person of another region, it earns the holder a retrieved receipt."""
        answer = await ctx.read_from_holder(
            lambda uow: materials.read_content(uow, material_id),
            lambda uow: materials.holder_of(uow, material_id),
            f"/v1/materials/{material_id}/content",
        )
        here = ctx.runtime.settings.region
        if ctx.principal.region == here and await ctx.read(lambda uow: materials.holder_of(uow, material_id)) != here:
            await ctx.command(lambda uow: (200, materials.opened(uow, config, material_id)))
        return answer

    @router.get("/materials", response_model=MaterialPage, **query_params.route_options(MaterialQuery))
    async def list_materials(request: Request, ctx: RequestContext = Context) -> Response:
        return await _list("materials", MaterialQuery, request, ctx)
