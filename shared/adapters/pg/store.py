"""The store on PostgreSQL: the SQLite `Store`'s interface and semantics (its group commit is inherited as
it is: units queued, one transaction, a savepoint per unit, after-commit actions, outbox listeners), an
instance's tables in its own schema (`{region}_{service}`) of a shared database, connections from a
psycopg_pool pool.

Write lock. Every write transaction begins by taking a transaction-level advisory lock whose key is derived
from the schema (`pg_advisory_xact_lock`), held until it commits or rolls back. Several processes may serve
one instance (`--processes N`), each with its own group commit; the lock makes their write transactions
one at a time, as SQLite's `BEGIN IMMEDIATE` did for one file. The code's read-then-write sequences (the
next gapless docket or certificate number, the idempotency check before a command, the audit chain's
head) then stay correct with no change to service code, at one lock per group commit (a batch of units),
not one per unit. Statements run at READ COMMITTED, so a transaction that waited for the lock sees all that
its predecessor committed. Reads never take the lock: `read()` is a REPEATABLE READ, READ ONLY snapshot
that runs beside the writers, as SQLite's WAL reads did.

Connections: a write transaction and a read borrow one from the pool for their length (the thread's
`connect()` answers it meanwhile); outside them, `connect()` answers one shared autocommit connection for
single statements (a gauge, the relay's backlog count, a tool): psycopg serialises its use across threads.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import pq, sql
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from psycopg.types.string import StrDumper
from psycopg_pool import ConnectionPool

from shared.adapters.pg.connection import PgConnection
from shared.adapters.pg.dialect import listed_view, translate_ddl
from shared.adapters.pg.rows import row_factory
from shared.adapters.schema import Migration, statements
from shared.adapters.store import Store
from shared.adapters.store_errors import STORE_ERRORS


class SqliteNumber(Loader):
    """A `numeric` result (PostgreSQL's sum() and avg() of integers) as SQLite gives it: an int when whole
    (a sum), else a float (an average), never a Decimal that float arithmetic refuses."""

    def load(self, data: Buffer) -> int | float:
        text = bytes(data)
        return int(text) if text.lstrip(b"-").isdigit() else float(text)


def lock_key(name: str) -> int:
    """A signed 64-bit advisory-lock key for `name` (one per schema, so instances never block each other)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class PgStore(Store):
    dialect = "postgresql"

    def __init__(self, url: str, schema: str, migrations: Sequence[Migration] = (), pool_size: int = 8) -> None:
        if not schema.replace("_", "").isalnum():
            raise ValueError(f"not a schema name: {schema!r}")
        self.path = url
        self.url, self.schema = url, schema
        self.write_key = lock_key(f"{schema}.write")
        self.relay_key = lock_key(f"{schema}.relay")
        self._begin_locked = f"BEGIN; SELECT pg_advisory_xact_lock({self.write_key})"
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "row_factory": row_factory},
            configure=self._configure,
            open=True,
            name=schema,
        )
        self._shared: psycopg.Connection | None = None
        self._shared_lock = threading.Lock()
        try:
            self._start(migrations)
        except BaseException:  # a server away at start: no pool left retrying in the background
            self.pool.close()
            raise

    def _configure(self, raw: psycopg.Connection) -> None:
        # A str is bound as text: into a BYTEA column it fails loudly instead of being read as bytea's
        # escape format (dialect.py); the instance's tables are found in its schema.
        raw.adapters.register_dumper(str, StrDumper)
        raw.adapters.register_loader("numeric", SqliteNumber)
        raw.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))

    def connect(self) -> PgConnection:
        """The connection of this thread's transaction or read, or else the shared autocommit one."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        with self._shared_lock:
            if self._shared is None or self._shared.closed or self._shared.broken:
                raw = psycopg.connect(self.url, autocommit=True, row_factory=row_factory)
                self._configure(raw)
                self._shared = raw
            return PgConnection(self._shared)

    def _begin(self) -> PgConnection:
        conn = self._local.conn = PgConnection(self.pool.getconn())
        conn.begin_later(self._begin_locked)  # sent with the first statement: BEGIN, then the lock
        return conn

    def _release(self, conn: PgConnection) -> None:
        self._local.conn = None
        self.pool.putconn(conn.raw)

    def _thread_ended(self) -> None:
        """The writer thread holds no connection of its own: nothing to close."""

    @contextmanager
    def read(self) -> Iterator[PgConnection]:
        """A read-only snapshot on a borrowed connection; it never takes the write lock."""
        if getattr(self._local, "conn", None) is not None:  # inside this thread's transaction or read
            yield self._local.conn
            return
        raw = self.pool.getconn()
        conn = self._local.conn = PgConnection(raw)
        try:
            raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield conn
        finally:
            self._local.conn = None
            try:
                if conn.in_transaction:
                    raw.execute("ROLLBACK")  # nothing to keep: a read-only snapshot ends either way
            finally:
                self.pool.putconn(raw)

    @contextmanager
    def outbox_claim(self) -> Iterator[PgConnection | None]:
        """One relay of the instance at a time (a transaction-level advisory lock, tried, not waited for:
        None if another process's relay holds it); the rows it reads `FOR UPDATE` stay claimed until it
        commits the marks (outbox.py says how order is kept). No write lock: it inserts nothing."""
        raw = self.pool.getconn()
        try:
            raw.execute("BEGIN")
            won = raw.execute("SELECT pg_try_advisory_xact_lock(%s)", (self.relay_key,)).fetchone()[0]
            yield PgConnection(raw) if won else None
        finally:
            # Committed even if publishing failed part-way: what it marked sent, the broker confirmed.
            try:
                status = raw.info.transaction_status
                if status == pq.TransactionStatus.INTRANS:
                    raw.execute("COMMIT")
                elif status != pq.TransactionStatus.IDLE:
                    raw.execute("ROLLBACK")
            finally:
                self.pool.putconn(raw)

    def mark_claimed(self, conn: PgConnection, mark: Callable[[PgConnection], None]) -> None:
        """Marked inside the claim's transaction (a write of their own would wait for the claim's row locks)."""
        mark(conn)

    def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL checkpoints by itself."""

    def writable(self, min_free_bytes: int = 0) -> bool:
        """Readiness: the server answers and a write transaction (with its lock) can be had."""
        try:
            self.write(lambda conn: conn.execute("SELECT 1"))
            return True
        except (*STORE_ERRORS, OSError):
            return False

    def migrate(self, migrations: Sequence[Migration]) -> None:
        """Each migration once, by name, its DDL through the dialect; the schema is made if missing. Under
        the write lock: two processes starting at once apply each migration once."""
        with self.transaction() as conn:
            conn.flush()  # the transaction and its lock first
            conn.raw.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)")
            done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            for name, script in migrations:
                if name in done:
                    continue
                for statement in self._ddl(conn, script):
                    conn.raw.execute(statement, ())
                conn.execute("INSERT INTO schema_migrations(name) VALUES (?)", (name,))

    def _ddl(self, conn: PgConnection, script: str) -> list[str]:
        view: Any = script
        if hasattr(view, "listed_table"):  # records.listed_view's migration: PostgreSQL's own form
            return listed_view(view.listed_table, view.columns, view.kinds, self._column_types(conn, view.listed_table))
        return [translate_ddl(statement) for statement in statements(script)]

    def _column_types(self, conn: PgConnection, table: str) -> dict[str, str]:
        rows = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            (self.schema, table),
        )
        return {row[0]: row[1] for row in rows}

    def close(self) -> None:
        """Close the pool and the shared connection (the store is not used after this)."""
        with self._shared_lock:
            if self._shared is not None:
                self._shared.close()
                self._shared = None
        self.pool.close()
