"""The gate every request passes before any route code (pure ASGI, no BaseHTTPMiddleware):

- a correlation id: the caller's `X-Correlation-Id` if it is a plain token, else a fresh one, so a
  crafted header never reaches logs or relayed requests;
- authentication first: a bearer token is verified before a byte of the body is read, so an anonymous
  caller cannot make the instance parse anything (401 problem+json);
- a body size cap (`YRD_MAX_BODY_BYTES`), 413 problem+json beyond it, whether the size is declared or not;
- response headers: `X-Content-Type-Options: nosniff` everywhere, `Cache-Control: no-store` on every
  authenticated answer (they carry records and personal data) and on the few public ones (`/public/`, no
  token, 4 KB bodies), and the correlation id;
- request metrics by route template;
- on the peer listener (mutual TLS, serving.py), reads only, and only for a token of the region whose
  instance of this same service presented its certificate: a token alone, taken from its region, does not
  open another region's peer listener.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import orjson

from shared.adapters import logs, metrics
from shared.adapters.tls import identity_of
from shared.adapters.tokens import InvalidToken, Principal, TrustList, provider_of, verify
from shared.contracts.ids import new_id
from shared.contracts.problems import PROBLEM_JSON, Problem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
PROTECTED_PREFIXES = ("/v1/", "/metrics")
# Answered without a login (a party asking at the window with the code given at submission): no token,
# small bodies only, and never cached.
PUBLIC_PREFIX = "/public/"
PUBLIC_MAX_BODY_BYTES = 4096
PEER_METHODS = ("GET", "HEAD")
# Verifying a provider's token may first fetch its keys: done on threads of its own, few of them, so a provider
# that hangs holds up neither the event loop nor the default pool everything else's blocking calls share.
OIDC_THREADS = 4
_oidc_pool = ThreadPoolExecutor(max_workers=OIDC_THREADS, thread_name_prefix="yrd-oidc")
T = TypeVar("T")


async def off_loop(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` on the identity providers' own threads."""
    return await asyncio.get_running_loop().run_in_executor(_oidc_pool, function, *args)


def correlation_id_from(raw: bytes | None) -> str:
    """The caller's id if it is a plain ASCII token of at most 128 characters, else a new one."""
    if raw:
        text = raw.decode("latin-1")
        if _CORRELATION_ID.match(text):
            return text
    return new_id()


class VerifiedTokens:
    """Tokens already verified, by a hash of the token, until they expire: an Ed25519 check costs more
    than the rest of a small request. Only good tokens are kept; expiry is still honoured to the second,
    and a changed trust list means a restart, as before."""

    def __init__(self, trust: TrustList, size: int = 4096) -> None:
        self.trust = trust
        self.size = size
        self._known: OrderedDict[bytes, Principal] = OrderedDict()

    def remembered(self, token: str) -> Principal | None:
        """The principal of a token verified before and not expired since; None for any other."""
        known = self._known.get(hashlib.sha256(token.encode()).digest())
        return known if known is not None and known.expires_at > time.time() else None

    def principal(self, token: str) -> Principal:
        key = hashlib.sha256(token.encode()).digest()
        known = self._known.get(key)
        if known is not None and known.expires_at > time.time():
            return known
        principal = verify(token, self.trust)
        self._known[key] = principal
        if len(self._known) > self.size:
            self._known.popitem(last=False)
        return principal

    async def verified(self, token: str) -> Principal:
        """`principal`, from async code: a token seen before, a development token (Ed25519, keys at hand) and
        one of an issuer the trust list does not name are decided here at once; only a provider's token,
        whose keys may have to be fetched, goes to the providers' threads. Raises InvalidToken."""
        known = self.remembered(token)
        if known is not None:
            return known
        if provider_of(token, self.trust) is None:
            return self.principal(token)
        return await off_loop(self.principal, token)


def authenticate(authorization: str, tokens: VerifiedTokens) -> Principal:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "unauthenticated", "Authentication required", "a bearer token is required")
    try:
        return tokens.principal(token.strip())
    except InvalidToken as error:
        raise Problem(401, "unauthenticated", "Authentication failed", str(error)) from None


class Gate:
    def __init__(
        self, app: ASGIApp, trust: TrustList, max_body_bytes: int, labels: dict[str, str], max_batch_bytes: int = 0
    ) -> None:
        """`labels` name the instance (service, region): its peers are the same service's instances."""
        self.app = app
        self.tokens = VerifiedTokens(trust)
        self.max_body_bytes = max_body_bytes
        self.max_batch_bytes = max(max_batch_bytes, max_body_bytes)  # bulk routes (`.../batch`) take more
        self.labels = labels
        self._series: dict[tuple[str, str], tuple[Any, Any]] = {}  # (route, status) -> metric children

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        cid = correlation_id_from(headers.get(b"x-correlation-id"))
        protected = scope["path"].startswith(PROTECTED_PREFIXES)
        public = scope["path"].startswith(PUBLIC_PREFIX)
        token = logs.correlation_id.set(cid)
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                extra = [(b"x-correlation-id", cid.encode()), (b"x-content-type-options", b"nosniff")]
                if protected or public:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            state = scope.setdefault("state", {})
            state["correlation_id"] = cid
            if protected or public:
                try:
                    receive = await self._admitted(scope, headers, receive, protected)
                except Problem as problem:
                    await _problem(problem, scope, send_with_headers)
                    return
            await self.app(scope, receive, send_with_headers)
        finally:
            logs.correlation_id.reset(token)
            count, seconds = self._metrics(getattr(scope.get("route"), "path", "unmatched"), status)
            count.inc()
            seconds.observe(time.perf_counter() - started)

    async def _admitted(self, scope: Scope, headers: dict[bytes, bytes], receive: Receive, protected: bool) -> Receive:
        """A protected request's caller authenticated (before its body is read), and any body within its cap."""
        if not protected:
            return await self._bounded(headers, receive, PUBLIC_MAX_BODY_BYTES)
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        principal = await self._authenticated(authorization)
        tls = scope.get("extensions", {}).get("tls")
        if tls is not None:
            self._peer_admitted(scope, tls, principal)
        scope["state"]["principal"] = principal
        limit = self.max_batch_bytes if scope["path"].endswith("/batch") else self.max_body_bytes
        return await self._bounded(headers, receive, limit)

    async def _authenticated(self, authorization: str) -> Principal:
        """The caller of a bearer token (VerifiedTokens.verified: a slow provider stalls no one else)."""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(401, "unauthenticated", "Authentication required", "a bearer token is required")
        try:
            return await self.tokens.verified(token.strip())
        except InvalidToken as error:
            raise Problem(401, "unauthenticated", "Authentication failed", str(error)) from None

    def _peer_admitted(self, scope: Scope, tls: dict[str, Any], principal: Principal) -> None:
        """A request on the peer listener: a read, by a token of the calling instance's own region."""
        chain = tls.get("client_cert_chain") or []
        peer = identity_of(chain[0]) if chain else None
        if peer is None or peer.service.value != self.labels["service"]:
            raise Problem(403, "peer-unknown", "Not a peer", "the peer listener serves this service's instances only")
        if peer.region != principal.region:
            raise Problem(
                403,
                "peer-mismatch",
                "Token and instance disagree",
                f"a {peer.region.value} instance relays {peer.region.value} tokens only",
            )
        if scope["method"] not in PEER_METHODS:
            raise Problem(405, "peer-read-only", "Reads only", "the peer listener serves point-to-point reads only")

    def _metrics(self, route: str, status: int) -> tuple[Any, Any]:
        """The request counter and timer of a route and status, looked up once (labels() is not free)."""
        series = self._series.get((route, status))
        if series is None:
            series = (
                metrics.HTTP_REQUESTS.labels(route=route, status=str(status), **self.labels),
                metrics.HTTP_SECONDS.labels(route=route, **self.labels),
            )
            self._series[(route, status)] = series
        return series

    async def _bounded(self, headers: dict[bytes, bytes], receive: Receive, limit: int) -> Receive:
        """413 for a body over the cap: at once when its length is declared, else after reading at most
        the cap (the bytes read are then handed to the app)."""
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > limit:
                raise _too_large(limit)
            return receive
        if b"chunked" not in headers.get(b"transfer-encoding", b""):
            return receive
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return receive
            size += len(message.get("body", b""))
            if size > limit:
                raise _too_large(limit)
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay


def _too_large(limit: int) -> Problem:
    return Problem(413, "body-too-large", "Request body too large", f"bodies are limited to {limit} bytes")


async def _problem(problem: Problem, scope: Scope, send: Send) -> None:
    body = orjson.dumps(problem.body(scope["path"]))
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    if problem.status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="yrd"'))
    if problem.status == 413:
        headers.append((b"connection", b"close"))  # the unread body is not drained
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
