"""The desk's forms: one per command (services/desk/commands.py), each with a CSRF token and an
Idempotency-Key made when the form is shown (a double submit sends the same key: one record). Uploaded
documents are hashed here and kept at this desk only once the API accepted the command (documents.py); the
API's refusals come back beside the field that `errors[].field` names, and a 409 says the record's current
status in words."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from services.desk import enforcement
from services.desk.commands import COMMANDS, RESULT_ID, Command
from services.desk.desk import COOKIE, Desk
from services.desk.documents import described
from services.desk.fields import Invalid, body_of
from services.desk.messages import word
from services.desk.records import RECORDS
from services.desk.texts import text
from services.desk.upstream import Answer

ALIASES = {"id_number": "identifier", "credit_code": "identifier"}
MAX_UPLOAD = 20 * 1024 * 1024


def field_errors(command: Command, answer: Answer) -> dict[str, str]:
    """The API's `errors[].field` moved onto the form's fields (a path the form lacks goes to the summary)."""
    names = {f.name for f in command.fields}
    found: dict[str, str] = {}
    for error in answer.problem.get("errors") or []:
        path = str(error.get("field") or "")
        parts = path.split(".")
        candidates = [path, ".".join([*parts[:-1], ALIASES.get(parts[-1], parts[-1])])]
        if len(parts) > 2:  # a union's tag between the item and its field (parties.0.person.id_number)
            candidates.append(".".join([*parts[:2], ALIASES.get(parts[-1], parts[-1])]))
        name = next((c for c in candidates if c in names), "_")
        found.setdefault(name, str(error.get("message") or ""))
    return found


def problem_words(answer: Answer, t, w, status_enum: str | None) -> str:
    if answer.status == 409:
        current = answer.problem.get("current_status")
        if current:
            return t("e409", status=w(status_enum or "status", current))
        return t("e409_plain") + (f" {answer.problem.get('detail')}" if answer.problem.get("detail") else "")
    if answer.status in (401, 403, 404, 422, 502, 503):
        return t(f"e{answer.status}")
    return t("e_other", status=answer.status)


async def _documents(command: Command, form, body: dict[str, Any]) -> list[tuple[str, bytes]]:
    """Files of the form, hashed: the body gets their names and hashes (or the content, for a proof's
    answer), as each route asks. Answers the files to keep once the API accepts (none for a verification)."""
    to_keep: list[tuple[str, bytes]] = []
    for field in command.fields:
        if field.kind not in ("file", "files"):
            continue
        uploads = [u for u in form.getlist(field.name) if isinstance(u, UploadFile) and u.filename]
        if not uploads:
            if field.required:
                raise Invalid(field.name, "required")
            continue
        kept = []
        for upload in uploads:
            content = await upload.read(MAX_UPLOAD + 1)
            if len(content) > MAX_UPLOAD:
                raise Invalid(field.name, "too large")
            kept.append((described(upload.filename or "document", content), content, upload))
            if command.name != "certificate.verify":  # a certificate checked is the visitor's, not ours
                to_keep.append((upload.filename or "document", content))
        if field.kind == "files":
            body["documents"] = [{"name": s.name, "sha256": s.sha256} for s, _, _ in kept]
        elif command.name.startswith("certificate."):  # issue, verify, reissue: the hash is what counts
            body["document_sha256"] = kept[0][0].sha256
        elif command.name == "proof.answer":
            stored, content, upload = kept[0]
            body["document_sha256"] = stored.sha256
            body["document"] = {"name": stored.name, "content_type": upload.content_type or "application/octet-stream",
                                "content_base64": base64.b64encode(content).decode()}  # fmt: skip
    return to_keep


def _finish(command: Command, body: dict[str, Any]) -> dict[str, Any]:
    """What a form cannot say by field names alone: a party's identifier by its kind."""
    for party in [*body.get("parties", []), *([body["party"]] if "party" in body else [])]:
        identifier = party.pop("identifier", "")
        party["id_number" if party.get("kind") == "person" else "credit_code"] = identifier
    return body


def router(desk: Desk) -> APIRouter:
    actions = APIRouter(include_in_schema=False)

    async def form_page(request, session, command, record_id, values=None, errors=None, message=None, status=200):
        # A decision's form offers the violations of the benchmarks adopted, the similar cases beside it.
        codes = await enforcement.codes(desk.upstream(session)) if command.name == "decision.record" else []
        return desk.render(request, "form.html", session, status, command=command, record_id=record_id,
                           values=values or {}, errors=errors or {}, message=message, codes=codes,
                           idem=(values or {}).get("idem") or str(uuid.uuid4()))  # fmt: skip

    @actions.get("/new/{name}")
    @actions.get("/act/{name}/{record_id}")
    async def show(request: Request, name: str, record_id: str = "") -> Response:
        session = await desk.person(request)
        if session is None:
            return desk.signed_out(request)
        command = COMMANDS.get(name)
        if command is None or bool(command.record) != bool(record_id):
            return desk.render(request, "message.html", session, 404, message="e404")
        return await form_page(request, session, command, record_id, values=dict(request.query_params))

    @actions.post("/do/{name}")
    async def do(request: Request, name: str) -> Response:
        session = await desk.person(request)
        if session is None:
            return desk.signed_out(request)
        command = COMMANDS.get(name)
        if command is None:
            return desk.render(request, "message.html", session, 404, message="e404")
        form = await request.form()
        values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        values.update({f.name: form.getlist(f.name) for f in command.fields if f.kind == "multi"})
        record_id = str(form.get("record") or "")
        if not desk.csrf.valid(request.cookies.get(COOKIE) or "", str(form.get("csrf") or "")):
            return await form_page(request, session, command, record_id, values, message="csrf", status=403)
        try:
            body = body_of(command.fields, values)
            to_keep = await _documents(command, form, body)
        except Invalid as bad:
            return await form_page(request, session, command, record_id, values, {bad.field: bad.args[0]}, "e422", 422)
        purpose = str(form.get("purpose") or "") if command.purposes else None
        path = command.path.format(id=record_id)
        answer = await desk.upstream(session).call(command.method, command.domain, path,
                                                   body=_finish(command, body) or None, purpose=purpose,
                                                   key=str(form.get("idem") or "") or None)  # fmt: skip
        if not answer.ok:
            lang = desk.lang(request)
            words = problem_words(answer, lambda k, **kw: text(k, lang, **kw), lambda e, v: word(e, v, lang),
                                  _status_enum(command))  # fmt: skip
            return await form_page(request, session, command, record_id, values, field_errors(command, answer), words,
                             answer.status)  # fmt: skip
        for name_of_file, content in to_keep:  # only what the API accepted is kept here
            desk.documents.keep(name_of_file, content)
        return _after(desk, request, session, command, record_id, answer)

    return actions


def _status_enum(command: Command) -> str | None:
    spec = RECORDS.get(command.record or command.result or "")
    return spec.status_enum if spec else None


def _after(desk: Desk, request: Request, session, command: Command, record_id: str, answer: Answer) -> Response:
    """Where a done command leads: the record's page (its new state), or the answer itself (a verification)."""
    body = answer.body if isinstance(answer.body, dict) else {}
    if command.result:
        key = body.get(RESULT_ID[command.result]) or record_id
        pages = {"filing": "filings", "alert": "alerts", "subject": "subjects", "certificate": "certificates",
                 "proof": "proof-requests", "decision": "decisions", "benchmark": "benchmarks"}  # fmt: skip
        if key:
            return RedirectResponse(f"/{pages[command.result]}/{key}?done=1", status_code=303)
    return desk.render(request, "done.html", session, command=command, body=body)
