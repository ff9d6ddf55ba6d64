"""What every page of a desk shares: its region and settings, the sign-in (shared/entrypoints/signin.py),
the CSRF key, the idle clock, the templates with the catalogue's words, the HTTP client to the instances and
the document store; `Desk.person` answers who is asking (or None, after the idle timeout too)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.desk import commands, lists
from services.desk.documents import DocumentStore
from services.desk.messages import DEFAULT_LANG, LANGS, choices, word
from services.desk.records import when
from services.desk.security import Csrf, Idle
from services.desk.texts import text
from services.desk.upstream import Upstream
from shared.contracts.regions import REGIONS, ZONE_TZ, Region
from shared.entrypoints.signin import Session, SignIn

TEMPLATES = Path(__file__).resolve().parent / "templates"
COOKIE, LANG_COOKIE = "yrd_desk", "yrd_desk_lang"
DESK_ROLES = ("window_clerk", "court_officer", "police_officer", "corrections_officer", "notary", "enforcement_officer",
              "enforcement_legal", "supervisor")  # fmt: skip


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)  # fmt: skip
    env.globals.update(choices=choices, quote=quote)
    env.filters["field_id"] = lambda name: "f-" + name.replace(".", "-")
    env.filters["when"] = when
    return env


@dataclass
class Desk:
    region: Region
    port_base: int
    sign_in: SignIn
    csrf: Csrf
    idle: Idle
    http: httpx.AsyncClient
    documents: DocumentStore
    secure_cookie: bool = False
    env: Environment | None = None

    def __post_init__(self) -> None:
        self.env = self.env or environment()

    def lang(self, request: Request) -> str:
        chosen = request.cookies.get(LANG_COOKIE, DEFAULT_LANG)
        return chosen if chosen in LANGS else DEFAULT_LANG

    async def person(self, request: Request, activity: bool = True) -> Session | None:
        """The signed-in session, ended if it was idle too long; `activity` False for polling."""
        session_id = request.cookies.get(COOKIE) or ""
        if self.idle.expired(session_id):
            session = self.sign_in.sessions.get(session_id)
            self.idle.forget(session_id)
            if session is not None:
                await self.sign_in.end(session)
            return None
        session = await self.sign_in.session(session_id)
        if session is not None and activity:
            self.idle.touch(session.id)
        return session

    def upstream(self, session: Session) -> Upstream:
        return Upstream(self.http, self.region, self.port_base, session.access_token)

    def render(self, request: Request, template: str, session: Session | None, status: int = 200, **values: Any):
        lang = self.lang(request)
        roles = frozenset(r.value for r in session.principal.roles) if session else frozenset()
        context = {
            "lang": lang,
            "t": lambda key, **kw: text(key, lang, **kw),
            "w": lambda kind, value: word(kind, value, lang),
            "region": self.region,
            "region_name": word("Region", self.region.value, lang),
            "court_name": REGIONS[self.region].court_name,
            "session": session,
            "roles": roles,
            "csrf": self.csrf.token(session.id) if session else "",
            "starts": [c for c in commands.for_role(roles, None)],
            "searches": [name for role in DESK_ROLES if role in roles for name in lists.BY_ROLE[role]],
            "path": request.url.path,
            "tz": ZONE_TZ,
            **values,
        }
        context["searches"] = list(dict.fromkeys(context["searches"]))
        html = self.env.get_template(template).render(context)
        return HTMLResponse(html, status_code=status)

    def signed_out(self, request: Request) -> RedirectResponse | HTMLResponse:
        if request.headers.get("hx-request"):
            answer = HTMLResponse("", status_code=200)
            answer.headers["hx-redirect"] = "/?timeout=1"
            return answer
        return RedirectResponse("/?timeout=1", status_code=303)


class DeskSignIn(SignIn):
    """The shared sign-in, its cookie Secure as well when the desk is served over TLS."""

    secure = False

    def set_cookie(self, response, session: Session) -> None:
        response.set_cookie(self.cookie, session.id, httponly=True, samesite="strict", path="/", secure=self.secure)


def admits(principal) -> bool:
    return any(r.value in DESK_ROLES for r in principal.roles)
