"""Browser sign-in for the project's pages (the operations page; the desk uses the same), at the identity
provider of the region a person picks: OpenID Connect authorization code flow with PKCE (S256) for a
public client, a server-side session whose random id alone is in the cookie (HttpOnly, never the token),
the access token refreshed before it expires, and logout that ends the provider's session too, so the next
visit asks for a password again.

A login is bound to the browser that started it: /auth/login sets a short-lived HttpOnly cookie (SameSite=Lax,
so the provider's redirect back carries it) holding a hash of the login's state and PKCE verifier, which the
server alone knows; a callback whose browser does not present it is refused, so nobody can make another
person's browser finish a login they started (login CSRF, session fixation). Logins under way are bounded in
number and age. When the provider cannot be reached or answers nonsense, the person is sent back to the page
with a sign-in-failed notice (and the cause logged), never a 500.

A page mounts `SignIn.router()` (GET /auth/regions, /auth/login?region=R, /auth/callback, /auth/session;
POST /logout) and asks `await sign_in.session(cookie)` for the caller. Sessions live in the page's process:
a restart asks everyone to sign in again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
import jwt
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from shared.adapters.gate import VerifiedTokens, off_loop
from shared.adapters.tokens import InvalidToken, Principal, TrustList
from shared.contracts.regions import Region

PENDING_SECONDS = 600  # a login page left open longer than this must be started again
PENDING_MAX = 2000  # logins under way at once; beyond it the oldest is forgotten (anonymous calls make them)
REFRESH_MARGIN = 30  # seconds before the access token's expiry at which it is refreshed
STALE_SECONDS = 12 * 3600  # longer than a provider keeps an idle sign-in
log = logging.getLogger(__name__)


class ProviderUnavailable(Exception):
    """The provider did not answer, or not as OpenID Connect says it must."""


@dataclass
class Session:
    id: str
    principal: Principal
    access_token: str
    refresh_token: str | None = None
    id_token: str | None = None
    region: Region | None = None  # the provider's region; None for a session opened with a token (scripts)
    name: str | None = None  # who the page greets: the ID token's name or username (the subject is an opaque id)

    @property
    def shown_name(self) -> str:
        return self.name or self.principal.subject


@dataclass
class _Pending:
    region: Region
    verifier: str
    nonce: str
    redirect_uri: str
    created: float = field(default_factory=time.monotonic)


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _binding(state: str, verifier: str) -> str:
    """What the starting browser's login cookie holds: derived from the verifier, which never leaves here."""
    return hashlib.sha256(f"{state}.{verifier}".encode()).hexdigest()


class SignIn:
    secure = False  # cookies marked Secure too (a page served over TLS sets it)

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
        self._pending: OrderedDict[str, _Pending] = OrderedDict()
        self.login_cookie = f"{cookie}_login"
        self._metadata: dict[Region, dict[str, Any]] = {}
        self.http = httpx.AsyncClient(timeout=10.0)

    async def metadata(self, region: Region) -> dict[str, Any]:
        """The provider's endpoints, from its OpenID Connect discovery document (kept once read)."""
        if region not in self._metadata:
            try:
                answer = await self.http.get(f"{self.issuers[region]}/.well-known/openid-configuration")
                answer.raise_for_status()
                document = answer.json()
            except (httpx.HTTPError, ValueError) as error:
                raise ProviderUnavailable(f"{region.value}: discovery failed: {error!r}") from None
            if not isinstance(document, dict):
                raise ProviderUnavailable(f"{region.value}: discovery document is not a JSON object")
            self._metadata[region] = document
        return self._metadata[region]

    async def endpoint(self, region: Region, name: str) -> str:
        endpoint = (await self.metadata(region)).get(name)
        if not isinstance(endpoint, str) or not endpoint:
            raise ProviderUnavailable(f"{region.value}: discovery names no {name}")
        return endpoint

    def _remember_login(self, state: str, pending: _Pending) -> None:
        now = time.monotonic()
        while self._pending:  # oldest first: the expired ones are at the front
            oldest = next(iter(self._pending.values()))
            if now - oldest.created <= PENDING_SECONDS and len(self._pending) < PENDING_MAX:
                break
            self._pending.popitem(last=False)
        self._pending[state] = pending

    def _login_of(self, state: str, binding: str | None) -> _Pending | None:
        """The login under way of this state, if it is young and the calling browser is the one that began it
        (it is forgotten either way: a state is good for one callback)."""
        pending = self._pending.pop(state, None) if state else None
        if pending is None or time.monotonic() - pending.created > PENDING_SECONDS:
            return None
        if not binding or not hmac.compare_digest(binding, _binding(state, pending.verifier)):
            log.warning("sign-in refused: the callback's browser did not start this login (%s)", pending.region.value)
            return None
        return pending

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
            answer = await self.http.post(
                await self.endpoint(session.region, "token_endpoint"),
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": session.refresh_token,
                    "client_id": self.client_id,
                },
            )
            if answer.status_code != 200:
                return False
            body = answer.json()
            session.principal = await self.tokens.verified(body["access_token"])
        except (ProviderUnavailable, httpx.HTTPError, ValueError, KeyError, TypeError, InvalidToken) as error:
            log.warning("session not refreshed (%s): %r", session.region.value, error)
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
            endpoint = await self.endpoint(session.region, "end_session_endpoint")
            await self.http.post(endpoint, data={"client_id": self.client_id, "refresh_token": session.refresh_token})
        except (httpx.HTTPError, ProviderUnavailable):
            pass  # the provider is away: its session ends by itself; this one is gone already

    def _id_token_claims(self, region: Region, id_token: str) -> dict[str, Any]:
        """The claims of a verified ID token (its audience is this page's client, not the services)."""
        issuer = self.issuers[region]
        provider = self.trust.providers[issuer]
        header = jwt.get_unverified_header(id_token)
        key = provider.signing_key(str(header.get("kid")))
        claims = jwt.decode(
            id_token, key, algorithms=list(provider.algorithms), audience=self.client_id, issuer=issuer, leeway=5
        )
        return claims

    def _failed(self, why: str = "failed") -> RedirectResponse:
        """Back to the page with a notice; the login cookie, if any, cleared."""
        response = RedirectResponse(f"{self.landing}?signin={why}", status_code=303)
        response.delete_cookie(self.login_cookie, httponly=True, samesite="lax", path="/auth/", secure=self.secure)
        return response

    def router(self) -> APIRouter:
        router = APIRouter(include_in_schema=False)

        @router.get("/auth/regions")
        async def regions() -> dict[str, list[str]]:
            return {"regions": [r.value for r in Region if r in self.issuers]}

        @router.get("/auth/login")
        async def login(request: Request, region: Annotated[Region, Query()]) -> Response:
            if region not in self.issuers:
                return JSONResponse({"title": f"No identity provider for {region.value}", "status": 404}, 404)
            try:
                endpoint = await self.endpoint(region, "authorization_endpoint")
            except ProviderUnavailable as error:
                log.warning("sign-in not started: %s", error)
                return self._failed()
            state, verifier, nonce = (secrets.token_urlsafe(32) for _ in range(3))
            redirect_uri = str(request.url_for("oidc_callback"))
            self._remember_login(state, _Pending(region, verifier, nonce, redirect_uri))
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
            response = RedirectResponse(f"{endpoint}?{urlencode(query)}", status_code=303)
            response.set_cookie(self.login_cookie, _binding(state, verifier), max_age=PENDING_SECONDS,
                                httponly=True, samesite="lax", path="/auth/", secure=self.secure)  # fmt: skip
            return response

        @router.get("/auth/callback", name="oidc_callback")
        async def callback(request: Request, state: str = "", code: str = "", error: str = "") -> Response:
            pending = self._login_of(state, request.cookies.get(self.login_cookie))
            if pending is None or error or not code:
                return self._failed()
            try:
                answer = await self.http.post(
                    await self.endpoint(pending.region, "token_endpoint"),
                    data={
                        "grant_type": "authorization_code",
                        "code": code,
                        "redirect_uri": pending.redirect_uri,
                        "client_id": self.client_id,
                        "code_verifier": pending.verifier,
                    },
                )
                if answer.status_code != 200:
                    log.warning("sign-in failed: the provider refused the code (%s)", answer.status_code)
                    return self._failed()
                body = answer.json()
                principal = await self.tokens.verified(body["access_token"])
                claims = await off_loop(self._id_token_claims, pending.region, body.get("id_token", ""))
            except (ProviderUnavailable, httpx.HTTPError, ValueError, KeyError, TypeError) as failure:
                log.warning("sign-in failed at the provider (%s): %r", pending.region.value, failure)
                return self._failed()
            except (InvalidToken, jwt.PyJWTError):
                return self._failed()
            session = self.open(
                principal, body["access_token"], refresh_token=body.get("refresh_token"),
                id_token=body.get("id_token"), region=pending.region,
                name=claims.get("name") or claims.get("preferred_username"),
            )  # fmt: skip
            if (
                claims.get("nonce") != pending.nonce
                or principal.region is not pending.region
                or not self.admits(principal)
            ):
                await self.end(session)
                return self._failed("refused")
            response = RedirectResponse(self.landing, status_code=303)
            response.delete_cookie(self.login_cookie, httponly=True, samesite="lax", path="/auth/", secure=self.secure)
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
