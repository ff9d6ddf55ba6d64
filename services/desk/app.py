"""The desk: where the people of one region — window clerks, court officers, police duty officers,
corrections officers, notaries and supervisors — do their daily work in a browser (port base + 100 × the
region's digit: 8100, 8200, 8300). They sign in at their region's identity provider (authorization code +
PKCE, shared/entrypoints/signin.py, public client `yrd-desk`); every call to the region's instances
carries the person's own access token, so a person sees and does exactly what the API lets them. Pages are
rendered here (Jinja2) and kept live by htmx polling; no inline script, no CDN (docs/desk.md)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.desk import actions, enforcement, pages
from services.desk.desk import COOKIE, Desk, DeskSignIn, admits
from services.desk.documents import DAY, DocumentStore
from services.desk.security import CSP, Csrf, Idle
from shared.adapters.gate import VerifiedTokens
from shared.adapters.tokens import TrustList
from shared.contracts.regions import REGIONS
from shared.core.settings import ROOT, Settings
from shared.entrypoints.page_headers import PageHeaders

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {
    "desk.css": STATIC / "desk.css",
    "desk.js": STATIC / "desk.js",
    "htmx.min.js": ROOT / "deploy" / "desk" / "node_modules" / "htmx.org" / "dist" / "htmx.min.js",
}


class DeskSettings(BaseSettings):
    """YRD_DESK_IDLE_SECONDS: a session unused this long is ended; YRD_DESK_SECURE_COOKIE: served over TLS;
    YRD_DESK_DOCUMENT_RETENTION_DAYS: how long an accepted upload is kept at the desk."""

    model_config = SettingsConfigDict(env_prefix="YRD_DESK_", extra="ignore")

    idle_seconds: float = 900
    secure_cookie: bool = False
    document_retention_days: float = Field(
        default=30, gt=0, description="an uploaded document is kept this many days after its last upload, then swept"
    )


@asynccontextmanager
async def swept(store: DocumentStore) -> AsyncIterator[None]:
    """The document store swept of files past their retention at start, then daily while the desk runs."""

    async def daily() -> None:
        while True:
            await asyncio.to_thread(store.sweep)
            await asyncio.sleep(DAY)

    task = asyncio.create_task(daily())
    try:
        yield
    finally:
        task.cancel()


def port_of_desk(settings: Settings) -> int:
    return settings.port_base + 100 * REGIONS[settings.region].digit


def build(settings: Settings | None = None, desk_settings: DeskSettings | None = None) -> FastAPI:
    settings = settings or Settings()
    own = desk_settings or DeskSettings()
    trust = TrustList.load(settings.resolved_trust_file)
    sign_in = DeskSignIn("yrd-desk", trust, VerifiedTokens(trust), COOKIE, admits, landing="/")
    sign_in.secure = own.secure_cookie
    desk = Desk(
        region=settings.region,
        port_base=settings.port_base,
        sign_in=sign_in,
        csrf=Csrf(),
        idle=Idle(own.idle_seconds),
        http=httpx.AsyncClient(timeout=15.0),
        documents=DocumentStore(
            settings.data_dir / "desk" / settings.region.value / "documents", own.document_retention_days
        ),
        secure_cookie=own.secure_cookie,
    )
    app = FastAPI(title=f"YRD desk ({settings.region.value})", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lambda _app: swept(desk.documents))  # fmt: skip
    app.add_middleware(PageHeaders, csp=CSP, secure=own.secure_cookie)
    app.include_router(sign_in.router())

    @app.post("/signout", include_in_schema=False)
    async def sign_out(request: Request) -> Response:
        session = desk.sign_in.sessions.get(request.cookies.get(COOKIE) or "")
        form = await request.form()
        if session is not None and desk.csrf.valid(session.id, str(form.get("csrf") or "")):
            desk.idle.forget(session.id)
            await desk.sign_in.end(session)  # the provider's session too: the next sign-in asks again
        answer = RedirectResponse("/", status_code=303)
        answer.delete_cookie(COOKIE, httponly=True, samesite="strict", path="/")
        return answer

    @app.get("/assets/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        if name not in ASSETS:
            return JSONResponse({"title": "Not found", "status": 404}, status_code=404)
        return FileResponse(ASSETS[name])

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(actions.router(desk))
    app.include_router(enforcement.router(desk))
    app.include_router(pages.router(desk))
    app.state.desk = desk
    return app
