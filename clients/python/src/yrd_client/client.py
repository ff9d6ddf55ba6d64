"""`Client` and `AsyncClient`: one region's instance of one service, for one caller.

    with Client("http://127.0.0.1:8101", token) as jiashan_filing:
        filing = jiashan_filing.filing.submit(SubmitFiling(...))
        for f in jiashan_filing.filing.list(status="received"):
            ...

Each service listens on its own port (the README's port map); the client exposes every service's
operations, and those of another service answer 404 from the instance it points at."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, Generic

import httpx

from yrd_client.operations import S
from yrd_client.services import (
    Alerts,
    Audit,
    Corrections,
    Enforcement,
    Filing,
    Notary,
    Operations,
    Procuratorate,
)
from yrd_client.sessions import AsyncSession, SyncSession, retrying

Token = str | Callable[[], str]


class BearerToken(httpx.Auth):
    """The caller's bearer token, or a function that gives the current one (a token it renews)."""

    def __init__(self, token: Token) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["authorization"] = f"Bearer {self.token() if callable(self.token) else self.token}"
        yield request


def http_options(base_url: str, token: Token, purpose: str | None, timeout: float) -> dict[str, Any]:
    """`purpose` goes with every request (`X-Purpose`): reads of personal data state why, and are audited so."""
    return {
        "base_url": base_url.rstrip("/") + "/v1/",
        "auth": BearerToken(token),
        "headers": {"x-purpose": purpose} if purpose else {},
        "timeout": timeout,
    }


class _Services(Generic[S]):
    def __init__(self, session: S) -> None:
        self.filing = Filing(session)
        self.alerts = Alerts(session)
        self.corrections = Corrections(session)
        self.notary = Notary(session)
        self.enforcement = Enforcement(session)
        self.procuratorate = Procuratorate(session)
        self.audit = Audit(session)
        self.operations = Operations(session)


class Client(_Services[SyncSession]):
    def __init__(
        self,
        base_url: str,
        token: Token,
        *,
        purpose: str | None = None,
        timeout: float = 10.0,
        retries: int = 4,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = httpx.Client(
            **http_options(base_url, token, purpose, timeout),
            transport=retrying(transport or httpx.HTTPTransport(), retries),
        )
        super().__init__(SyncSession(self.http))

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_Services[AsyncSession]):
    def __init__(
        self,
        base_url: str,
        token: Token,
        *,
        purpose: str | None = None,
        timeout: float = 10.0,
        retries: int = 4,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.http = httpx.AsyncClient(
            **http_options(base_url, token, purpose, timeout),
            transport=retrying(transport or httpx.AsyncHTTPTransport(), retries),
        )
        super().__init__(AsyncSession(self.http))

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
