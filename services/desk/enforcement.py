"""同案同罚 at the desk (services/enforcement): the violation codes an officer chooses from (the catalogue's
adopted benchmarks) and the similar-case figures shown beside the decision form (`POST /v1/similar-cases`,
refreshed by htmx whenever the code, the date or a factor changes). Their My work is in work.py."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.desk.commands import COMMANDS
from services.desk.desk import Desk
from services.desk.fields import Invalid, body_of
from services.desk.upstream import Upstream
from shared.contracts.regions import Domain

E = Domain.ENFORCEMENT
MOST = 200
FACTOR_FIELDS = tuple(f for f in COMMANDS["decision.record"].fields if f.name.startswith("factors."))
SIMILAR_FIELDS = (*(f for f in COMMANDS["decision.record"].fields if f.name in ("code", "violation_date")),
                  *FACTOR_FIELDS)  # fmt: skip


async def codes(up: Upstream) -> list[tuple[str, str]]:
    """(code, name) of every violation with an adopted benchmark, by code."""
    found, _, _ = await up.items(E, "/v1/benchmarks", {"status": "adopted"}, most=MOST)
    return sorted({(b["code"], b["name"]) for b in found})


def router(desk: Desk) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.post("/enforcement/similar")
    async def similar(request: Request) -> Response:
        """The similar-case panel for the decision form's values (an htmx partial)."""
        session = await desk.person(request, activity=False)
        if session is None:
            return desk.signed_out(request)
        form = {k: v for k, v in (await request.form()).multi_items() if isinstance(v, str)}
        if not desk.csrf.valid(session.id, form.get("csrf", "")):
            return desk.render(request, "similar.html", session, 403, figures=None, refusal=None, asked=False)
        try:
            body = body_of(SIMILAR_FIELDS, form)
        except Invalid:  # no code (or a half-typed number) yet: nothing to compare with
            return desk.render(request, "similar.html", session, figures=None, refusal=None, asked=False)
        answer = await desk.upstream(session).call("POST", E, "/v1/similar-cases", body=body)
        figures, refusal = (answer.body, None) if answer.ok else (None, answer)
        return desk.render(request, "similar.html", session, figures=figures, refusal=refusal, asked=True)

    return pages
