"""Reading SQLite's plans in the broker-free tier: which step of a plan visits every row of a table, and the
statements an instance runs while it answers (with their parameters, so a partial index is chosen or not
exactly as at run time). With no ANALYZE statistics a plan does not depend on how many rows there are, so
an empty store shows the plan a store of a million rows would use."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Statement = tuple[str, Any]  # the SQL and its parameters (a sequence or a mapping)


def reads_every_row(conn: sqlite3.Connection, step: str) -> bool:
    """A plan step that visits every row of a table: a SCAN (unless of a covering index only, or of a table-valued
    function such as json_each over one value), or a SEARCH
    whose only bound is `column > ?` (an IS NOT NULL) on an index of every row, read row by row."""
    if step == "SCAN CONSTANT ROW" or "COVERING INDEX" in step or "VIRTUAL TABLE" in step:
        return False
    if step.startswith("SCAN "):
        return True
    unbounded = re.fullmatch(r"SEARCH \S+ USING INDEX (\S+) \(\w+>\?\)", step)
    return unbounded is not None and not partial(conn, unbounded[1])


def partial(conn: sqlite3.Connection, index: str) -> bool:
    """An index of some rows only (`CREATE INDEX ... WHERE ...`)."""
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)).fetchone()
    return " WHERE " in sql.upper()


def plan(conn: sqlite3.Connection, statement: Statement) -> list[str]:
    sql, args = statement
    return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args)]


def walk(conn: sqlite3.Connection, statement: Statement) -> list[str]:
    """How a statement finds its rows: the first table it reads and how, and whether it sorts them (not the
    tables joined to each row, nor the subqueries checked on each)."""
    sql, args = statement
    outer = [d for _, parent, _, d in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args) if parent == 0]
    found = [d for d in outer if d.startswith(("SEARCH ", "SCAN "))][:1]
    return found + [d for d in outer if "TEMP B-TREE" in d]


class _Recording:
    """A connection that notes each statement it runs, then runs it."""

    def __init__(self, conn: sqlite3.Connection, into: list[Statement]) -> None:
        self._conn, self._into = conn, into

    def execute(self, sql: str, args: Any = ()) -> sqlite3.Cursor:
        if sql.lstrip().upper().startswith("SELECT"):
            self._into.append((sql, args))
        return self._conn.execute(sql, args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@contextmanager
def reads_of(store) -> Iterator[list[Statement]]:
    """The SELECTs the store's read snapshots run meanwhile (a query's, not the writer's)."""
    statements: list[Statement] = []
    read = store.read

    @contextmanager
    def recording() -> Iterator[Any]:
        with read() as conn:
            yield _Recording(conn, statements)

    store.read = recording
    try:
        yield statements
    finally:
        del store.read  # the instance attribute goes; the class's method shows through again
