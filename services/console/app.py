"""The operations console: one zone-wide page (port base + 0, 8000 by default) for operators and
supervisors of any region. People sign in at their region's identity provider (authorization code +
PKCE, shared/entrypoints/signin.py): the HttpOnly cookie holds a server-side session's id, never a token,
and logging out ends the provider's session too. A script (the daily digest's renderer) opens a session
with a token (POST /login). The page shows aggregates only, read from Prometheus (the same numbers the
alert rules see), never a record's personal data."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import httpx
from fastapi import Cookie, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.console import channels, daily, hooks, schedule
from services.console.figures import Queries, day_window, firing_at, moment_of, overview
from services.console.notify import Bridge
from shared.adapters.gate import VerifiedTokens
from shared.adapters.tokens import InvalidToken, Principal, TrustList
from shared.contracts.regions import ZONE_TZ
from shared.core.settings import ROOT, Settings
from shared.entrypoints.page_headers import PageHeaders
from shared.entrypoints.signin import SignIn
from shared.rules.policy import Scope, allowed

STATIC = Path(__file__).resolve().parent / "static"
ECHARTS = ROOT / "deploy" / "console" / "node_modules" / "echarts" / "dist" / "echarts.min.js"
COOKIE = "yrd_console"
CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
PAGE_VIEWS = Counter("yrd_console_overviews_total", "Overviews served by the operations console", ["outcome"])


class ConsoleSettings(BaseSettings):
    """YRD_PROMETHEUS_URL: where the console reads its figures."""

    model_config = SettingsConfigDict(env_prefix="YRD_", extra="ignore")

    prometheus_url: str = "http://127.0.0.1:9090"


class Login(BaseModel):
    token: str = Field(min_length=20, max_length=4096)


def _admitted(principal: Principal) -> bool:
    return allowed(principal.roles, "ops.console", frozenset({Scope.OWN}))


async def _principal(tokens: VerifiedTokens, token: str | None) -> Principal | None:
    """The caller, if the token is valid now and grants the console (operators and supervisors); a provider's
    token is verified off the event loop (VerifiedTokens.verified)."""
    if not token:
        return None
    try:
        principal = await tokens.verified(token)
    except InvalidToken:
        return None
    return principal if _admitted(principal) else None


def _signed_in(sign_in: SignIn, session_id: str | None) -> Principal | None:
    """The caller of a session that is open and admitted (without refreshing it: for quick checks)."""
    session = sign_in.sessions.get(session_id or "")
    return session.principal if session is not None and _admitted(session.principal) else None


async def _figures(client: httpx.AsyncClient, day: date | None) -> dict:
    """The figures of today (live), or of a past day as they stood at its end (the daily digest)."""
    moment = moment_of(day, datetime.now(UTC))
    _, window = day_window(moment)
    queries = Queries(window).all()

    async def ask(expr: str) -> list[dict]:
        params = {"query": expr, "time": moment.timestamp()}
        answer = (await client.get("/api/v1/query", params=params)).json()
        return answer["data"]["result"] if answer.get("status") == "success" else []

    answers = await asyncio.gather(*(ask(expr) for expr in queries.values()))
    if day is None:
        firing = (await client.get("/api/v1/alerts")).json()["data"]["alerts"]
    else:
        firing = firing_at(await ask('ALERTS{alertstate="firing"}'))
    return overview(dict(zip(queries, answers, strict=True)), firing, moment)


def _pages_and_session(app: FastAPI, tokens: VerifiedTokens, sign_in: SignIn) -> None:
    """The page, its assets (served from here: no CDN), sign-in at the providers, and a script's login."""
    app.include_router(sign_in.router())

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/assets/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        files = {"console.js": STATIC / "console.js", "console.css": STATIC / "console.css", "echarts.min.js": ECHARTS}
        if name not in files:
            return JSONResponse({"title": "Not found", "status": 404}, status_code=404)
        return FileResponse(files[name])

    @app.post("/login", status_code=204)
    async def login(body: Login) -> Response:
        principal = await _principal(tokens, body.token.strip())
        if principal is None:
            return JSONResponse({"title": "Not an operator or supervisor token", "status": 401}, status_code=401)
        response = Response(status_code=204)
        sign_in.set_cookie(response, sign_in.open(principal, body.token.strip()))
        return response


def build(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    trust = TrustList.load(settings.resolved_trust_file)
    tokens = VerifiedTokens(trust)
    sign_in = SignIn("yrd-console", trust, tokens, COOKIE, _admitted)
    prometheus = httpx.AsyncClient(base_url=ConsoleSettings().prometheus_url, timeout=5.0)
    app = FastAPI(title="YRD operations console", version="1", docs_url=None, redoc_url=None)
    app.add_middleware(PageHeaders, csp=CSP)

    _pages_and_session(app, tokens, sign_in)
    # The notification bridge Alertmanager posts to, the daily digest's schedule, and the deliveries the
    # page lists (services/console/hooks.py, schedule.py); a day's exact volumes are read from the services.
    config = channels.load()
    bridge, digests = Bridge(config, httpx.AsyncClient(timeout=10.0)), schedule.digest_log(settings)

    # The deliveries list is the page's: a console session's id in the cookie (a script opens one by POST /login).
    def reads_deliveries(cookie: str | None) -> bool:
        return _signed_in(sign_in, cookie) is not None

    app.include_router(hooks.router(bridge, reads_deliveries, digests.recent, settings.keys_dir))
    job = schedule.digest_job(settings, config, bridge, digests)
    app.router.lifespan_context = schedule.lifespan_of(job, config, digests)
    services = httpx.AsyncClient(timeout=10.0)

    @app.get("/api/overview")
    async def api_overview(
        yrd_console: Annotated[str | None, Cookie()] = None, day: Annotated[date | None, Query(alias="date")] = None
    ) -> Response:
        session = await sign_in.session(yrd_console)
        principal = session.principal if session is not None and _admitted(session.principal) else None
        if session is None or principal is None:
            PAGE_VIEWS.labels("unauthenticated").inc()
            return JSONResponse({"title": "Log in with an operator or supervisor token", "status": 401}, 401)
        try:
            moment_of(day, datetime.now(UTC))
        except ValueError as error:
            return JSONResponse({"title": str(error), "status": 422}, 422)
        try:
            figures = await _figures(prometheus, day)
        except (httpx.HTTPError, KeyError, ValueError):
            PAGE_VIEWS.labels("prometheus-unavailable").inc()
            return JSONResponse({"title": "Prometheus unavailable", "status": 503}, 503, {"retry-after": "5"})
        if day is not None:  # a day's digest: its volumes as the stores count them (services/console/daily.py)
            exact = await daily.exact_volumes(services, settings.port_base, principal.region, session.access_token, day)
            figures = daily.with_exact_volumes(figures, exact)
        PAGE_VIEWS.labels("served").inc()
        figures["viewer"] = {"subject": session.shown_name, "region": principal.region.value}
        figures["zone_time"] = datetime.now(ZONE_TZ).isoformat()
        return JSONResponse(figures)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if await _principal(tokens, bearer) is None:
            return JSONResponse({"title": "Unauthorized", "status": 401}, status_code=401)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
