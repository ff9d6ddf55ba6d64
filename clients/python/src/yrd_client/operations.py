"""The API's operations, declared once (services.py) and bound to a sync or an async session: the same
declaration answers `R` on a `Client` and an awaitable of `R` on an `AsyncClient`.

Calling a bound operation: path parameters first, in path order, then the body (a generated model or a
dict), then keyword arguments: query parameters, and `idempotency_key` on writes (one is made when none
is given, so every write can be retried safely)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload
from urllib.parse import quote

from pydantic import BaseModel

from yrd_client.problems import Outcome


class Blocking:
    """A session whose operations answer when called (sessions.SyncSession)."""


class Awaiting:
    """A session whose operations answer awaitables (sessions.AsyncSession)."""


R = TypeVar("R", bound=BaseModel)
S = TypeVar("S", bound=Blocking | Awaiting, covariant=True)
WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class Resource(Generic[S]):
    """A service's operations, bound to one session."""

    def __init__(self, session: S) -> None:
        self._session = session


@dataclass(frozen=True)
class Request:
    """What one call sends: the httpx arguments, kept apart from how (sync or async) it is sent."""

    method: str
    path: str
    params: dict[str, Any]
    json: Any = None
    headers: dict[str, str] | None = None


PATH_PARAMETER = re.compile(r"\{[^}]+\}")


def fill(template: str, args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """The path with its parameters from the leading arguments (escaped), and the arguments left over."""
    arity = len(PATH_PARAMETER.findall(template))
    if len(args) < arity:
        raise TypeError(f"{template} takes {arity} path parameter(s), given {len(args)}")
    ids = iter(args[:arity])
    return PATH_PARAMETER.sub(lambda _: quote(str(next(ids)), safe=""), template), args[arity:]


def dump(body: BaseModel | dict[str, Any] | None) -> Any:
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return body


@dataclass(frozen=True)
class Call(Generic[R]):
    """One request, one typed answer."""

    method: str
    path: str
    returns: type[R]

    def request(self, args: tuple[Any, ...], query: dict[str, Any]) -> Request:
        path, rest = fill(self.path, args)
        key = query.pop("idempotency_key", None)
        body = rest[0] if rest else query.pop("body", None)
        params = {k: v for k, v in query.items() if v is not None}
        if self.method not in WRITES:
            return Request(self.method, path, params)
        return Request(self.method, path, params, dump(body), {"idempotency-key": key or str(uuid.uuid4())})

    def decode(self, payload: Any) -> R:
        return self.returns.model_validate(payload)

    @overload
    def __get__(self, resource: Resource[Blocking], owner: Any) -> Callable[..., R]: ...
    @overload
    def __get__(self, resource: Resource[Awaiting], owner: Any) -> Callable[..., Awaitable[R]]: ...
    def __get__(self, resource: Any, owner: Any) -> Any:
        return lambda *args, **query: resource._session.call(self, self.request(args, query))


@dataclass(frozen=True)
class Pages(Generic[R]):
    """A collection read page by page (keyset cursors), yielding its items: `limit` sets the page size."""

    page: Call[Any]
    item: type[R]

    @overload
    def __get__(self, resource: Resource[Blocking], owner: Any) -> Callable[..., Iterator[R]]: ...
    @overload
    def __get__(self, resource: Resource[Awaiting], owner: Any) -> Callable[..., AsyncIterator[R]]: ...
    def __get__(self, resource: Any, owner: Any) -> Any:
        return lambda *args, **query: resource._session.pages(self, args, query)


@dataclass(frozen=True)
class Bulk:
    """A collection's NDJSON batch route: any number of bodies, `chunk` lines a request (1,000), each line with
    its idempotency key (so a retried request creates nothing twice), one `Outcome` per body, in order."""

    path: str

    @staticmethod
    def requests(bodies: Iterable[BaseModel | dict[str, Any]], chunk: int) -> Iterator[list[Any]]:
        lines: list[Any] = []
        for body in bodies:
            line = dict(dump(body))
            line.setdefault("idempotency_key", str(uuid.uuid4()))
            lines.append(line)
            if len(lines) == chunk:
                yield lines
                lines = []
        if lines:
            yield lines

    def path_for(self, args: tuple[Any, ...]) -> str:
        return fill(self.path, args)[0]

    @overload
    def __get__(self, resource: Resource[Blocking], owner: Any) -> Callable[..., Iterator[Outcome]]: ...
    @overload
    def __get__(self, resource: Resource[Awaiting], owner: Any) -> Callable[..., AsyncIterator[Outcome]]: ...
    def __get__(self, resource: Any, owner: Any) -> Any:
        return lambda *args, chunk=1000: resource._session.bulk(self, args[:-1], args[-1], chunk)
