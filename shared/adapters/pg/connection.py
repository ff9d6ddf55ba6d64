"""A psycopg connection as the store's code uses a sqlite3 one: `execute` and `executemany` take SQLite's
SQL and parameters (translated by dialect.py, cached) and answer a cursor that fetches and iterates rows
read like sqlite3.Rows; `in_transaction`; the after-commit state of transactions.Tracked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import psycopg
from psycopg import pq

from shared.adapters.pg.dialect import translate
from shared.adapters.transactions import Tracked

Params = Sequence[Any] | Mapping[str, Any] | None


def _params(params: Params) -> Sequence[Any] | Mapping[str, Any]:
    # Always some parameters: psycopg then reads every `%%` the translation doubled as a `%`.
    if params is None:
        return ()
    return params if isinstance(params, Mapping) else tuple(params)


# Statements with no result and no parameters that a transaction's bookkeeping issues around the work.
_DEFERRABLE = re.compile(r"(SAVEPOINT|RELEASE|ROLLBACK TO) \w+")
_ENDS = ("COMMIT", "ROLLBACK")


class PgConnection(Tracked):
    """Each round trip to the server costs more than the statement: the bookkeeping statements (a begin
    with its lock, SAVEPOINT, RELEASE, ROLLBACK TO) wait and go with the next statement that needs an
    answer, or with the COMMIT, in one simple query. A group commit's one-unit write is then three round
    trips (begin, lock and savepoint; the work; release and commit), not five."""

    def __init__(self, raw: psycopg.Connection) -> None:
        self.raw = raw
        self.committed = []
        self._pending: list[str] = []
        self._begun = True  # False while the transaction's BEGIN waits in `_pending`

    def begin_later(self, begin: str) -> None:
        """Open the transaction with `begin` (no parameters) when its first statement goes."""
        self._pending, self._begun = [begin], False

    def execute(self, sql: str, params: Params = None) -> psycopg.Cursor | None:
        if params is None:
            if _DEFERRABLE.fullmatch(sql):
                self._pending.append(sql)
                return None
            if sql in _ENDS:
                return self._end(sql)
        self.flush()
        return self.raw.execute(translate(sql), _params(params))

    def executemany(self, sql: str, rows: Iterable[Params]) -> psycopg.Cursor:
        self.flush()
        cursor = self.raw.cursor()
        cursor.executemany(translate(sql), [_params(row) for row in rows])
        return cursor

    def flush(self) -> None:
        """Send what waits (before a statement sent on `raw` directly)."""
        if self._pending:
            pending, self._pending, self._begun = self._pending, [], True
            self.raw.execute("; ".join(pending))

    def _end(self, sql: str) -> None:
        if not self._begun:  # nothing was sent: there is no transaction to end
            self._pending, self._begun = [], True
            return None
        if sql == "ROLLBACK":  # what waits is undone with the rest
            self._pending = []
        self._pending.append(sql)
        self.flush()
        return None

    @property
    def in_transaction(self) -> bool:
        return bool(self._pending) or self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """As a sqlite3 connection's block: an open transaction is committed, or rolled back on an error."""
        if self.in_transaction:
            self.execute("ROLLBACK" if kind else "COMMIT")

    def close(self) -> None:
        self.raw.close()
