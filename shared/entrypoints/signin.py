"""Browser sign-in for the project's pages (the operations page; the desk uses the same), at the identity
provider of the region a person picks: OpenID Connect authorization code flow with PKCE (S256) for a
public client, a server-side session whose random id alone is in the cookie (HttpOnly, never the token),
the access token refreshed before it expires, and logout that ends the provider's session too, so the next
visit asks for a password again.

A page mounts `SignIn.router()` (GET /auth/regions, /auth/login?region=R, /auth/callback, /auth/session;
POST /logout) and asks `await sign_in.session(cookie)` for the caller. Sessions live in the page's process:
a restart asks everyone to sign in again.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
import jwt
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from shared.adapters.gate import VerifiedTokens
from shared.adapters.tokens import InvalidToken, Principal, TrustList
from shared.contracts.regions import Region

PENDING_SECONDS = 600  # a login page left open longer than this must be started again
REFRESH_MARGIN = 30  # seconds before the access token's expiry at which it is refreshed
STALE_SECONDS = 12 * 3600  # longer than a provider keeps an idle sign-in


@dataclass
class Session:
    id: str
    principal: Principal
    access_token: str
    refresh_token: str | None = None
    id_token: str | None = None
    region: Region | None = None  # the provider's region; None for a session opened with a token (scripts)


@dataclass
class _Pending:
    region: Region
    verifier: str
    nonce: str
    redirect_uri: str
    created: float = field(default_factory=time.monotonic)


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class SignIn:
    def __init__(
        self,
        client_id: str,
        trust: TrustList,
        tokens: VerifiedTokens,
        cookie: str,
        admits: Callable[[Principal], bool],
        landing: str = "/",
    ) -> None:
        """`admits`: whether a signed-in principal may use the page (else the sign-in is refused and the
        provider's session ended, so another person can sign in)."""
        self.client_id, self.trust, self.tokens, self.cookie = client_id, trust, tokens, cookie
        self.admits, self.landing = admits, landing
        self.issuers: dict[Region, str] = {}
        for provider in trust.providers.values():
            self.issuers.setdefault(provider.region, provider.issuer)
        self.sessions: dict[str, Session] = {}
        self._pending: dict[str, _Pending] = {}
        self._metadata: dict[Region, dict[str, Any]] = {}
        self.http = httpx.AsyncClient(timeout=10.0)

    async def metadata(self, region: Region) -> dict[str, Any]:
        """The provider's endpoints, from its OpenID Connect discovery document (kept once read)."""
        if region not in self._metadata:
            answer = await self.http.get(f"{self.issuers[region]}/.well-known/openid-configuration")
            answer.raise_for_status()
            self._metadata[region] = answer.json()
        return self._metadata[region]

    def open(self, principal: Principal, access_token: str, **tokens: Any) -> Session:
        now = time.time()  # sessions long past their token (not refreshed: left) are forgotten here
        for stale in [k for k, s in self.sessions.items() if s.principal.expires_at < now - STALE_SECONDS]:
            self.sessions.pop(stale, None)
        session = Session(secrets.token_urlsafe(32), principal, access_token, **tokens)
        self.sessions[session.id] = session
        return session

    def set_cookie(self, response: Response, session: Session) -> None:
        # Strict: the page reads its figures with fetch() from its own origin; the provider's redirect back
        # only sets the cookie.
        response.set_cookie(self.cookie, session.id, httponly=True, samesite="strict", path="/")

    async def session(self, session_id: str | None) -> Session | None:
        """The caller's session, its access token refreshed when it is about to expire; None if there is
        none or it can no longer be refreshed (the provider ended it)."""
        session = self.sessions.get(session_id or "")
        if session is None:
            return None
        if session.principal.expires_at - REFRESH_MARGIN > time.time():
            return session
        if session.refresh_token is None or session.region is None or not await self._refreshed(session):
            self.sessions.pop(session.id, None)
            return None
        return session

    async def _refreshed(self, session: Session) -> bool:
        assert session.region is not None
        try:
            endpoint = (await self.metadata(session.region))["token_endpoint"]
            answer = await self.http.post(
                endpoint,
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": session.refresh_token,
                    "client_id": self.client_id,
                },
            )
        except httpx.HTTPError:
            return False
        if answer.status_code != 200:
            return False
        body = answer.json()
        try:
            session.principal = await asyncio.to_thread(self.tokens.principal, body["access_token"])
        except InvalidToken:
            return False
        session.access_token = body["access_token"]
        session.refresh_token = body.get("refresh_token", session.refresh_token)
        session.id_token = body.get("id_token", session.id_token)
        return True

    async def end(self, session: Session) -> None:
        """Close the session here and at the provider (its SSO session ends: the next sign-in asks again)."""
        self.sessions.pop(session.id, None)
        if session.region is None or session.refresh_token is None:
            return
        try:
            endpoint = (await self.metadata(session.region))["end_session_endpoint"]
            await self.http.post(endpoint, data={"client_id": self.client_id, "refresh_token": session.refresh_token})
        except (httpx.HTTPError, KeyError):
            pass  # the provider is away: its session ends by itself; this one is gone already

    def _id_token_nonce(self, region: Region, id_token: str) -> str | None:
        """The nonce of a verified ID token (its audience is this page's client, not the services)."""
        issuer = self.issuers[region]
        provider = self.trust.providers[issuer]
        header = jwt.get_unverified_header(id_token)
        key = provider.keys.get_signing_key(str(header.get("kid")))
        claims = jwt.decode(
            id_token, key, algorithms=list(provider.algorithms), audience=self.client_id, issuer=issuer, leeway=5
        )
        return claims.get("nonce")

    def router(self) -> APIRouter:
        router = APIRouter(include_in_schema=False)

        @router.get("/auth/regions")
        async def regions() -> dict[str, list[str]]:
            return {"regions": [r.value for r in Region if r in self.issuers]}

        @router.get("/auth/login")
        async def login(request: Request, region: Annotated[Region, Query()]) -> Response:
            if region not in self.issuers:
                return JSONResponse({"title": f"No identity provider for {region.value}", "status": 404}, 404)
            now = time.monotonic()
            for state in [s for s, p in self._pending.items() if now - p.created > PENDING_SECONDS]:
                self._pending.pop(state, None)
            state, verifier, nonce = (secrets.token_urlsafe(32) for _ in range(3))
            redirect_uri = str(request.url_for("oidc_callback"))
            self._pending[state] = _Pending(region, verifier, nonce, redirect_uri)
            query = {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid",
                "state": state,
                "nonce": nonce,
                "code_challenge": _challenge(verifier),
                "code_challenge_method": "S256",
            }
            endpoint = (await self.metadata(region))["authorization_endpoint"]
            return RedirectResponse(f"{endpoint}?{urlencode(query)}", status_code=303)

        @router.get("/auth/callback", name="oidc_callback")
        async def callback(state: str = "", code: str = "", error: str = "") -> Response:
            pending = self._pending.pop(state, None)
            if pending is None or error or not code:
                return RedirectResponse(f"{self.landing}?signin=failed", status_code=303)
            endpoint = (await self.metadata(pending.region))["token_endpoint"]
            answer = await self.http.post(
                endpoint,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": pending.redirect_uri,
                    "client_id": self.client_id,
                    "code_verifier": pending.verifier,
                },
            )
            if answer.status_code != 200:
                return RedirectResponse(f"{self.landing}?signin=failed", status_code=303)
            body = answer.json()
            try:
                # off the event loop: the provider's keys may have to be fetched first
                principal = await asyncio.to_thread(self.tokens.principal, body["access_token"])
                nonce = await asyncio.to_thread(self._id_token_nonce, pending.region, body.get("id_token", ""))
            except (InvalidToken, jwt.PyJWTError, KeyError):
                return RedirectResponse(f"{self.landing}?signin=failed", status_code=303)
            session = self.open(
                principal, body["access_token"], refresh_token=body.get("refresh_token"),
                id_token=body.get("id_token"), region=pending.region,
            )  # fmt: skip
            if nonce != pending.nonce or principal.region is not pending.region or not self.admits(principal):
                await self.end(session)
                return RedirectResponse(f"{self.landing}?signin=refused", status_code=303)
            response = RedirectResponse(self.landing, status_code=303)
            self.set_cookie(response, session)
            return response

        @router.get("/auth/session")
        async def current(request: Request) -> Response:
            session = await self.session(request.cookies.get(self.cookie))
            if session is None:
                return JSONResponse({"title": "Not signed in", "status": 401}, 401)
            who = session.principal
            return JSONResponse({"subject": who.subject, "region": who.region.value, "roles": sorted(who.roles)})

        @router.post("/logout", status_code=204)
        async def logout(request: Request) -> Response:
            session = self.sessions.get(request.cookies.get(self.cookie) or "")
            if session is not None:
                await self.end(session)
            response = Response(status_code=204)
            response.delete_cookie(self.cookie, httponly=True, samesite="strict", path="/")
            return response

        return router
