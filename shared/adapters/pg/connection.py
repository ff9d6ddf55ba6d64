"""A psycopg connection as the store's code uses a sqlite3 one: `execute` and `executemany` take SQLite's
SQL and parameters (translated by dialect.py, cached) and answer a cursor that fetches and iterates rows
read like sqlite3.Rows; `in_transaction`; the after-commit state of transactions.Tracked."""

from __future__ import annotations

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


class PgConnection(Tracked):
    def __init__(self, raw: psycopg.Connection) -> None:
        self.raw = raw
        self.committed = []

    def execute(self, sql: str, params: Params = None) -> psycopg.Cursor:
        return self.raw.execute(translate(sql), _params(params))

    def executemany(self, sql: str, rows: Iterable[Params]) -> psycopg.Cursor:
        cursor = self.raw.cursor()
        cursor.executemany(translate(sql), [_params(row) for row in rows])
        return cursor

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """As a sqlite3 connection's block: an open transaction is committed, or rolled back on an error."""
        if self.in_transaction:
            self.raw.execute("ROLLBACK" if kind else "COMMIT")

    def close(self) -> None:
        self.raw.close()
