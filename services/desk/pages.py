"""The desk's reading pages: sign-in landing, language switch, My work (and its live partials), the search
lists with their CSV / XLSX exports, the subject lookup and each record's page with its timeline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from services.desk import commands, exports, records, work
from services.desk.desk import LANG_COOKIE, Desk
from services.desk.fields import Invalid, body_of
from services.desk.lists import LISTS, ListSpec
from services.desk.messages import LANGS, word
from services.desk.texts import text
from shared.contracts.regions import Domain

REFUSAL_WORDS = (401, 403, 404, 422, 502, 503)


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/"


def _query(spec: ListSpec, request: Request) -> tuple[dict[str, Any], str | None, dict[str, str]]:
    """The list's filters from the page's query (typed as the API wants), the purpose, and field errors."""
    form = dict(request.query_params)
    try:
        params = body_of(spec.filters, form)
    except Invalid as bad:
        return {}, None, {bad.field: bad.args[0]}
    purpose = form.get("purpose") if form.get("purpose") in spec.purposes else None
    return params, purpose, {}


def router(desk: Desk) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/")
    async def landing(request: Request) -> Response:
        session = await desk.person(request)
        if session is not None:
            return RedirectResponse("/work", status_code=303)
        notice = next((k for k in ("signin", "timeout") if k in request.query_params), None)
        message = {"signin": f"signin_{request.query_params.get('signin')}", "timeout": "timed_out"}.get(notice or "")
        return desk.render(request, "signin.html", None, message=message)

    @pages.get("/lang/{code}")
    async def language(code: str, next: str = "/") -> Response:
        answer = RedirectResponse(_safe_next(next), status_code=303)
        if code in LANGS:
            answer.set_cookie(LANG_COOKIE, code, httponly=True, samesite="strict", secure=desk.secure_cookie)
        return answer

    @pages.get("/work")
    async def my_work(request: Request) -> Response:
        session = await desk.person(request)
        if session is None:
            return desk.signed_out(request)
        roles = frozenset(r.value for r in session.principal.roles)
        found = await work.of(desk.upstream(session), roles)
        return desk.render(request, "work.html", session, work=found)

    @pages.get("/work/rows")
    async def work_rows(request: Request) -> Response:
        session = await desk.person(request, activity=False)
        if session is None:
            return desk.signed_out(request)
        roles = frozenset(r.value for r in session.principal.roles)
        found = await work.of(desk.upstream(session), roles)
        return desk.render(request, "work_rows.html", session, work=found)

    @pages.get("/work/count")
    async def work_count(request: Request) -> Response:
        session = await desk.person(request, activity=False)
        if session is None:
            return desk.signed_out(request)
        roles = frozenset(r.value for r in session.principal.roles)
        return HTMLResponse(str((await work.of(desk.upstream(session), roles)).count))

    @pages.get("/list/{name}")
    async def listing(request: Request, name: str) -> Response:
        session = await desk.person(request)
        if session is None:
            return desk.signed_out(request)
        spec = LISTS.get(name)
        if spec is None:
            return desk.render(request, "message.html", session, 404, message="e404")
        params, purpose, errors = _query(spec, request)
        domain = Domain(params.pop("service", spec.domain.value))
        asked = bool(request.query_params) and not errors and (not spec.purposes or purpose)
        export = request.query_params.get("export")
        up = desk.upstream(session)
        if asked and export in ("csv", "xlsx"):
            return await _export(desk, request, session, spec, domain, params, purpose, export, up)
        items, more, refusal = ([], False, None)
        if asked:
            cursor = request.query_params.get("cursor")
            answer = await up.get(domain, spec.path, params={**params, "limit": 50, "cursor": cursor}, purpose=purpose)
            if answer.ok:
                items, more = answer.body["items"], answer.body.get("next_cursor")
            else:
                refusal = answer
        kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k not in ("export", "cursor")])
        values = dict(request.query_params)
        return desk.render(request, "list.html", session, 400 if errors else 200, spec=spec, items=items,
                           more=more, refusal=refusal, errors=errors, values=values, asked=asked,
                           request_query=kept)  # fmt: skip

    @pages.api_route("/lookup", methods=["GET", "POST"])
    async def lookup(
        request: Request,
        id_number: Annotated[str, Form()] = "",
        purpose: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        session = await desk.person(request)
        if session is None:
            return desk.signed_out(request)
        result = refusal = None
        if request.method == "POST":
            if not desk.csrf.valid(session.id, csrf):
                return desk.render(request, "message.html", session, 403, message="csrf")
            answer = await desk.upstream(session).call(
                "POST", Domain.CORRECTIONS, "/v1/subjects/lookup", body={"id_number": id_number.strip()},
                purpose=purpose or None,
            )  # fmt: skip
            result, refusal = (answer.body, None) if answer.ok else (None, answer)
        return desk.render(request, "lookup.html", session, result=result, refusal=refusal)

    @pages.get("/{kind}/{key}")
    async def record(request: Request, kind: str, key: str) -> Response:
        names = {"filings": "filing", "alerts": "alert", "subjects": "subject", "certificates": "certificate",
                 "proof-requests": "proof", "decisions": "decision", "benchmarks": "benchmark"}  # fmt: skip
        if kind not in names:
            return HTMLResponse("Not found", status_code=404)
        session = await desk.person(request)
        if session is None:
            return desk.signed_out(request)
        spec = records.RECORDS[names[kind]]
        up = desk.upstream(session)
        answer = await up.get(spec.domain, spec.path.format(key))
        if not answer.ok:
            return desk.render(request, "message.html", session, answer.status, refusal=answer)
        plain, nested = records.split(answer.body)
        sensitive = records.SENSITIVE.get(names[kind])
        revealed = refusal = None
        purpose = request.query_params.get("purpose")
        if sensitive and purpose in sensitive[1]:  # the person asked, with a purpose: one audited read
            reading = await up.get(spec.domain, sensitive[0].format(key), purpose=purpose)
            revealed, refusal = (records.split(reading.body), None) if reading.ok else (None, reading)
        roles = frozenset(r.value for r in session.principal.roles)
        lang = desk.lang(request)
        return desk.render(
            request, "record.html", session, kind=names[kind], key=key, spec=spec, plain=plain, nested=nested,
            timeline=answer.body.get("timeline", []), actions=commands.for_role(roles, names[kind]),
            nested_actions={k: commands.for_role(roles, v) for k, v in records.NESTED_ACTIONS.items()},
            sensitive=sensitive, revealed=revealed, refusal=refusal,
            show=lambda k, v, status="status": records.shown(k, v, lambda e, x: word(e, x, lang), status),
        )  # fmt: skip

    return pages


async def _export(desk, request, session, spec, domain, params, purpose, export, up) -> Response:
    """One audited read per page of the list. CSV rows stream out as they arrive (a refused later page ends
    the file with a row naming it); an XLSX is complete or not sent (a refused page answers the message)."""
    lang = desk.lang(request)
    header = [text(c.label, lang) for c in spec.columns]

    async def rows() -> AsyncIterator[list[object]]:
        number = 0
        async for page in up.pages(domain, spec.path, params, purpose):
            number += 1
            if not page.ok:
                reason = text(f"e{page.status}", lang) if page.status in REFUSAL_WORDS else text(
                    "e_other", lang, status=page.status)  # fmt: skip
                raise exports.ExportRefused(page.status, text("export_cut", lang, page=number, reason=reason))
            for item in page.body["items"]:
                yield [word(c.enum, item.get(c.key), lang) if c.enum else item.get(c.key) for c in spec.columns]

    filename = f"{spec.name}.{export}"
    disposition = {"content-disposition": f'attachment; filename="{filename}"'}
    if export == "csv":
        return StreamingResponse(exports.csv_stream(header, rows()), media_type="text/csv; charset=utf-8",
                                 headers=disposition)  # fmt: skip
    try:
        spool = await exports.xlsx_file(spec.name, header, rows())
    except exports.ExportRefused as refused:
        status = refused.status if refused.status in REFUSAL_WORDS else 502
        return desk.render(request, "message.html", session, status, message_text=str(refused))
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return StreamingResponse(exports.chunks(spool), media_type=media, headers=disposition)
