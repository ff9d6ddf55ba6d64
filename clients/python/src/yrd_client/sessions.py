"""How operations are sent: the same steps over an `httpx.Client` or an `httpx.AsyncClient`. Everything
that does not wait on the network (building requests, reading answers) is shared."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, TypeVar

import httpx
from httpx_retries import Retry, RetryTransport
from pydantic import BaseModel

from yrd_client.operations import Awaiting, Blocking, Bulk, Call, Pages, Request
from yrd_client.problems import Outcome, raise_for_problem

R = TypeVar("R", bound=BaseModel)
NDJSON = "application/x-ndjson"
# Every write the client sends carries an Idempotency-Key, so a write is retried as safely as a read: the
# instance answers a repeat with the first answer. Retried: lost connections and timeouts, 429, 502-504
# (503 is the instance saying nothing was written; its Retry-After is respected).
RETRIED_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PATCH", "PUT", "DELETE"]


def retry_policy(retries: int) -> Retry:
    return Retry(
        total=retries,
        allowed_methods=RETRIED_METHODS,
        status_forcelist=[429, 502, 503, 504],
        backoff_factor=0.25,
        max_backoff_wait=10,
    )


def retrying(transport: httpx.BaseTransport | httpx.AsyncBaseTransport, retries: int) -> RetryTransport:
    return RetryTransport(transport=transport, retry=retry_policy(retries))


def answer(response: httpx.Response) -> Any:
    raise_for_problem(response)
    return response.json()


def ndjson(lines: list[Any]) -> bytes:
    return "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines).encode()


def outcomes(response: httpx.Response, offset: int) -> list[Outcome]:
    """One bulk request's answers, numbered across the whole call."""
    raise_for_problem(response)
    found = [json.loads(line) for line in response.text.splitlines() if line.strip()]
    return [Outcome.parse(fields, line=offset + int(fields["line"])) for fields in found]


def _send_args(request: Request) -> dict[str, Any]:
    return {"params": request.params, "json": request.json, "headers": request.headers}


class SyncSession(Blocking):
    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def call(self, op: Call[R], request: Request) -> R:
        return op.decode(answer(self.http.request(request.method, request.path, **_send_args(request))))

    def pages(self, op: Pages[R], args: tuple[Any, ...], query: dict[str, Any]) -> Iterator[R]:
        while True:
            page = self.call(op.page, op.page.request(args, dict(query)))
            yield from page.items  # type: ignore[attr-defined]
            if not page.next_cursor:  # type: ignore[attr-defined]
                return
            query = {**query, "cursor": page.next_cursor}  # type: ignore[attr-defined]

    def bulk(self, op: Bulk, args: tuple[Any, ...], bodies: Iterable[Any], chunk: int) -> Iterator[Outcome]:
        offset = 0
        for lines in op.requests(bodies, chunk):
            response = self.http.post(op.path_for(args), content=ndjson(lines), headers={"content-type": NDJSON})
            yield from outcomes(response, offset)
            offset += len(lines)


class AsyncSession(Awaiting):
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def call(self, op: Call[R], request: Request) -> R:
        return op.decode(answer(await self.http.request(request.method, request.path, **_send_args(request))))

    async def pages(self, op: Pages[R], args: tuple[Any, ...], query: dict[str, Any]) -> AsyncIterator[R]:
        while True:
            page = await self.call(op.page, op.page.request(args, dict(query)))
            for item in page.items:  # type: ignore[attr-defined]
                yield item
            if not page.next_cursor:  # type: ignore[attr-defined]
                return
            query = {**query, "cursor": page.next_cursor}  # type: ignore[attr-defined]

    async def bulk(self, op: Bulk, args: tuple[Any, ...], bodies: Iterable[Any], chunk: int) -> AsyncIterator[Outcome]:
        offset = 0
        for lines in op.requests(bodies, chunk):
            response = await self.http.post(op.path_for(args), content=ndjson(lines), headers={"content-type": NDJSON})
            for outcome in outcomes(response, offset):
                yield outcome
            offset += len(lines)
