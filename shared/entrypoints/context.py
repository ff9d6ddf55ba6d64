"""What a route gets: the authenticated principal and a way to run its work as one unit of work.

`command` runs a write: idempotency check, the service function (which authorises, changes state and
emits events), audit, idempotency record: all one transaction. `query` runs a read on a snapshot; a
sensitive read's audit entry is committed before the answer is given. A denial rolls the work back and
is audited alone. Both are awaited on the event loop: the store's writer thread runs what they write.

An Idempotency-Key is bound to the caller, the method and path, and a fingerprint of the request body and
purpose. A replay runs the command again inside a savepoint that is rolled back: it passes the same
authorisation and purpose checks as the first call and is audited as a replay, but changes nothing and
answers what the first call answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from shared.adapters import idempotency as keys
from shared.adapters.tokens import Principal
from shared.adapters.transactions import savepoint
from shared.contracts.problems import Denied, Problem
from shared.contracts.regions import Region
from shared.core.uow import UnitOfWork
from shared.entrypoints.runtime import Runtime

Work = Callable[[UnitOfWork], tuple[int, Any]]
T = TypeVar("T")


@dataclass
class RequestContext:
    runtime: Runtime
    principal: Principal
    correlation_id: str
    purpose: str | None
    idempotency_key: str | None
    method: str
    path: str
    authorization: str = ""
    body_fingerprint: str = ""

    async def command(self, work: Work) -> Response:
        """A write, awaited on the event loop: the store's writer runs it (Store.write_async)."""
        scope = f"{self.principal.region.value}:{self.principal.subject}:{self.method}:{self.path}"
        idempotency = (scope, self.idempotency_key, self.body_fingerprint)
        try:
            status, payload = await self.runtime.store.write_async(lambda conn: self._write(conn, work, idempotency))
        except Denied as denied:
            raise await self._refused(denied) from None
        return _answer(status, payload)

    def each(self, lines: list[tuple[Work, tuple[str, str | None, str]]]) -> list[tuple[int, Any]]:
        """Several commands (a bulk request's lines) in one transaction, each checked, audited and keyed like
        `command`; one refused or invalid command fails alone."""
        return self.runtime.store.write(lambda conn: self._lines(conn, lines))

    def _lines(self, conn: Any, lines: list[tuple[Work, tuple[str, str | None, str]]]) -> list[tuple[int, Any]]:
        """The lines share one savepoint while they succeed: a savepoint per line copied every page each
        line touched again. At the first that fails the run is undone, the lines before it are applied
        again, it runs alone in a savepoint of its own (its problem answered, a denial audited), and the
        rest go on the same way; no line is applied more than twice."""
        answers: list[tuple[int, Any]] = []
        while len(answers) < len(lines):
            start = len(answers)
            try:
                with savepoint(conn, "lines"):
                    for work, key in lines[start:]:
                        answers.append(self._write(conn, work, key))
            except (Denied, Problem):
                failed = len(answers)
                answers[start:] = self._lines(conn, lines[start:failed])
                answers.append(self.line(conn, *lines[failed]))
        return answers

    def line(self, conn: Any, work: Work, idempotency: tuple[str, str | None, str]) -> tuple[int, Any]:
        """One command inside the caller's transaction, in a savepoint: its answer, or its problem's."""
        try:
            with savepoint(conn, "line"):
                return self._write(conn, work, idempotency)
        except Denied as denied:
            with savepoint(conn, "denial"):
                self._unit_of_work(conn).access.record_denial(denied)
            return 403, _forbidden(denied).body()
        except Problem as problem:
            return problem.status, problem.body()

    async def query(self, work: Work) -> Response:
        """A read answered as it is (`work` gives the status and the payload)."""
        status, payload = await self.read(work)
        return _answer(status, payload)

    async def read(self, work: Callable[[UnitOfWork], T]) -> T:
        """A read, on the event loop: a snapshot never waits for the writer. Its audit entries (a sensitive
        read) or a denial's are written by the store's writer, and only once they are committed is the
        value given."""
        store = self.runtime.store
        try:
            with store.read() as conn:
                uow = self._unit_of_work(conn)
                value = work(uow)
        except Denied as denied:
            raise await self._refused(denied) from None
        if entries := uow.access.pending_audit:
            await store.write_async(lambda conn: self._flush(conn, entries))
        return value

    async def read_from_holder(
        self, read_here: Callable[[UnitOfWork], Any], holder_of: Callable[[UnitOfWork], str], peer_path: str
    ) -> Response:
        """A sensitive read: served here if this region holds the detail (`read_here` answers None
        otherwise), else relayed point to point to the holding region's instance with the caller's own
        token and purpose, so the holder authorises and audits it too. An instance relays its own
        region's tokens only (the holder matches the token to the relaying instance's certificate):
        another region's user asks the holder, or their own region's instance."""
        held_here = await self.read(read_here)
        if held_here is not None:
            return _answer(200, held_here)
        holder = await self.read(holder_of)
        here = self.runtime.settings.region
        if self.principal.region != here:
            raise Problem(
                403,
                "relay-own-region-only",
                "Not relayed for another region",
                f"the detail is held in {holder}; this {here.value} instance relays {here.value} tokens only",
            )
        peers = self.runtime.peers  # a blocking request: in a worker thread, not on the event loop
        body = await run_in_threadpool(
            peers.get, Region(holder), peer_path, self.authorization, self.purpose, self.correlation_id
        )
        return _answer(200, body)

    async def _refused(self, denied: Denied) -> Problem:
        """A denial, audited alone (the work it stopped is rolled back): the 403 to raise."""
        await self.runtime.store.write_async(lambda conn: self._unit_of_work(conn).access.record_denial(denied))
        return _forbidden(denied)

    def _flush(self, conn: Any, entries: list) -> None:
        writer = self._unit_of_work(conn)
        writer.access.pending_audit = entries
        writer.access.flush_audit()

    def _write(self, conn: Any, work: Work, idempotency: tuple[str, str | None, str]) -> tuple[int, Any]:
        uow = self._unit_of_work(conn)
        scope, key, fingerprint = idempotency
        if key:
            replay = keys.first_answer(conn, scope, key, fingerprint)
            if replay is not None:
                _reauthorize(uow, work)
                return replay
        status, payload = work(uow)
        uow.access.flush_audit()
        if key:
            keys.remember(conn, scope, key, fingerprint, status, payload)
        return status, payload

    def _unit_of_work(self, conn: Any) -> UnitOfWork:
        return self.runtime.unit_of_work(conn, self.correlation_id, principal=self.principal, purpose=self.purpose)


def _answer(status: int, payload: Any) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")


def _forbidden(denied: Denied) -> Problem:
    return Problem(403, "forbidden", "Forbidden", denied.reason)


def _reauthorize(uow: UnitOfWork, work: Work) -> None:
    """Run the command again for its checks only: a denial stands (Denied propagates); any other outcome
    is discarded with the savepoint, and the authorisations it made are audited as a replay."""
    try:
        with savepoint(uow.conn, "replay", keep=False):
            work(uow)
    except Problem:
        pass  # state moved on since the first call (e.g. 409): the first answer still stands
    uow.access.flush_audit(reason="idempotent replay")
