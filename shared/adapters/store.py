"""Per-instance store: SQLite in WAL mode behind a narrow boundary (write, read, migrate).

Writes go through `write(fn)`: group commit. Every thread that wants to write queues its unit of work;
whichever holds the writer lock runs everything queued in one transaction, a savepoint per unit (one
failing unit fails alone), commits once, and hands each its result; a coroutine's unit (`write_async`)
is run by the store's writer thread and awaited. No thread ever waits in SQLite's busy handler,
read-then-write sequences (next docket number, idempotency check, audit chain head) are serialised, and
a burst of writes costs one commit. `read()` runs a read-only transaction on the thread's own
connection: WAL lets it run beside the writer, and it never takes the write lock.
Only the store modules speak SQL; `pg.store.PgStore` is the same boundary on PostgreSQL (stores.py picks one).

A transaction that staged outbox rows (`staged_outbox`) calls the store's outbox listeners (the relay's
wake-up) once it has committed: whatever wrote them (a command, a bulk request, a denial's audit entry,
a consumed event's reaction, a scanner), they leave at once, and never before they are visible. What is
to happen only once a unit's work is committed (`after_commit`: a metric of what it decided) happens
then, and not at all for a unit rolled back (transactions.py).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import shutil
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from shared.adapters import transactions
from shared.adapters.schema import SHARED_MIGRATIONS, Migration, statements
from shared.adapters.store_errors import STORE_ERRORS
from shared.adapters.transactions import Connection

T = TypeVar("T")
log = logging.getLogger(__name__)
WAL_PAGES = 10_000  # 40 MB of 4 KB pages
WAL_LIMIT = 64 * 1024 * 1024


@dataclass
class _Unit:
    fn: Callable[[sqlite3.Connection], Any]
    done: bool = False
    result: Any = None
    error: BaseException | None = None
    future: asyncio.Future | None = None  # a coroutine's (`write_async`), settled on its loop
    context: contextvars.Context | None = None  # and its context (the request's correlation id)


def _settle(unit: _Unit) -> None:
    """On the awaiting loop: hand the unit's outcome to its future (unless the awaiter went away)."""
    future = unit.future
    if future is None or future.done():
        return
    if unit.error is not None:
        future.set_exception(unit.error)
    else:
        future.set_result(unit.result)


class Store:
    dialect = "sqlite"

    def __init__(self, path: Path | str, migrations: Sequence[Migration] = ()) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._start(migrations)

    def _start(self, migrations: Sequence[Migration]) -> None:
        self._local = threading.local()
        self._writer = threading.Lock()
        self._queued: deque[_Unit] = deque()
        self._queue_lock = threading.Lock()
        self._outbox_listeners: list[Callable[[], None]] = []
        self._before_commit: list[Callable[[sqlite3.Connection], None]] = []
        self._wake = threading.Event()  # units queued by coroutines, for the writer thread
        self._writer_thread: threading.Thread | None = None
        self._closing = False
        self.migrate([*SHARED_MIGRATIONS, *migrations])

    def connect(self) -> Connection:
        """This thread's connection (SQLite connections must not cross threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=30, check_same_thread=True, factory=Connection
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")  # other processes only (yrd dlq replay, rebuild)
            # Savepoint journals in memory: on disk, a command's spilled into a temporary file made each time.
            conn.execute("PRAGMA temp_store=MEMORY")
            # The WAL goes back into the database in `checkpoint()`, off the request path; WAL_PAGES is the
            # backstop (SQLite's 1,000 made every 40th command pay for a copy). Then cut to WAL_LIMIT.
            conn.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES}")
            conn.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
            self._local.conn = conn
        return conn

    def on_outbox_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every commit of a transaction that staged outbox rows."""
        self._outbox_listeners.append(listener)

    def before_commit(self, hook: Callable[[sqlite3.Connection], None]) -> None:
        """Run `hook` in every write transaction, after its last unit and just before it commits."""
        self._before_commit.append(hook)

    def _commit(self, conn: sqlite3.Connection) -> None:
        for hook in self._before_commit:
            hook(conn)
        conn.execute("COMMIT")

    def _ended(self, conn: Connection, committed: bool) -> None:
        """A transaction ended: its after-commit actions run (if it committed); if it committed outbox rows,
        they are visible now: tell the listeners (a unit rolled back in a committed batch may cost a wake-up
        too many; one too few, a poll's wait)."""
        if transactions.ended(conn, committed):
            for listener in self._outbox_listeners:
                listener()

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` in a write transaction (grouped with whatever else is queued) and answer its result,
        or raise what it raised; its changes are kept only if it returned."""
        if getattr(self._local, "writing", False):
            return fn(self.connect())  # already inside this thread's batch: part of that unit
        unit = _Unit(fn)
        with self._queue_lock:
            self._queued.append(unit)
        with self._writer:
            if not unit.done:
                self._commit_queued()
        if unit.error is not None:
            raise unit.error
        return unit.result

    async def write_async(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`write` for a coroutine: queued and grouped like any other unit, committed before it is answered,
        run by the store's writer thread: the event loop never blocks on the writer lock, and a request
        needs no worker thread of its own (that hop cost a small request ~130 µs of CPU)."""
        unit = _Unit(fn, future=asyncio.get_running_loop().create_future(), context=contextvars.copy_context())
        with self._queue_lock:
            self._queued.append(unit)
            if self._writer_thread is None:
                self._writer_thread = threading.Thread(target=self._write_queued, name="store-writer", daemon=True)
                self._writer_thread.start()
        self._wake.set()
        return await unit.future

    def _write_queued(self) -> None:
        """The writer thread: commits what coroutines queued (and whatever else is queued by then)."""
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._closing:
                break
            with self._writer:
                try:
                    self._commit_queued()
                except Exception:  # its units have their error already; the thread goes on
                    log.exception("a group commit failed and could not be rolled back")
        self._thread_ended()

    def _thread_ended(self) -> None:
        """The writer thread stops: its own connection is closed (SQLite's do not cross threads)."""
        self.close()

    def _commit_queued(self) -> None:
        with self._queue_lock:
            batch = list(self._queued)
            self._queued.clear()
        if not batch:
            return
        try:
            self._run_batch(batch)
        finally:  # every unit has its outcome, whatever happened to the transaction
            for unit in batch:
                unit.done = True
                if unit.future is not None:  # answered once committed and the relay told
                    unit.future.get_loop().call_soon_threadsafe(_settle, unit)

    def _run_batch(self, batch: list[_Unit]) -> None:
        self._local.writing = True
        committed, conn = False, None
        try:
            conn = self._begin()
            for unit in batch:
                # Not `savepoint()`: a ROLLBACK TO that fails must fail the whole transaction (below), not
                # pass for this unit's own error.
                at = transactions.mark(conn)
                conn.execute("SAVEPOINT unit")
                try:
                    unit.result = unit.context.run(unit.fn, conn) if unit.context else unit.fn(conn)
                except BaseException as error:
                    conn.execute("ROLLBACK TO unit")
                    transactions.rolled_back_to(conn, at)
                    unit.error = error
                conn.execute("RELEASE unit")
            self._commit(conn)
            committed = True
        except BaseException as error:  # the transaction itself failed (a full disk): nothing of it is kept
            for unit in batch:
                unit.error, unit.result = unit.error or error, None
            if conn is not None and conn.in_transaction:
                conn.execute("ROLLBACK")
        finally:
            self._local.writing = False
        if conn is not None:
            try:
                self._ended(conn, committed)
            finally:
                self._release(conn)

    def _begin(self) -> Connection:
        """Open a write transaction on this thread's connection (a PostgreSQL store borrows one)."""
        conn = self.connect()
        conn.execute("BEGIN IMMEDIATE")
        return conn

    def _release(self, conn: Connection) -> None:
        """A write transaction begun by `_begin` has ended (a PostgreSQL store gives its connection back)."""

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction as a block, for start-up, tools and tests; it holds the writer lock, so
        it is serialised with the group commits."""
        if getattr(self._local, "writing", False):
            yield self.connect()
            return
        with self._writer:
            conn = self._begin()
            self._local.writing = True
            try:
                yield conn
                self._commit(conn)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                self._ended(conn, committed=False)
                self._release(conn)
                raise
            finally:
                self._local.writing = False
            try:
                self._ended(conn, committed=True)
            finally:
                self._release(conn)

    @contextmanager
    def outbox_claim(self) -> Iterator[Connection | None]:
        """The relay's hold on the outbox while it publishes a batch (outbox.py): here this thread's
        connection, as one process has the store file; PgStore's is a locked transaction."""
        yield self.connect()

    def mark_claimed(self, conn: Connection, mark: Callable[[sqlite3.Connection], None]) -> None:
        """Mark rows of a claim as sent: here in a write of their own (the claim is no transaction)."""
        self.write(mark)

    def checkpoint(self) -> None:
        """Copy the WAL's commits back into the database file, waiting for no reader or writer (PASSIVE;
        a few µs when there is nothing new). At the commit crossing WAL_PAGES it stalled that command."""
        self.connect().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read-only snapshot: never takes the write lock (a write in it fails loudly)."""
        conn = self.connect()
        if getattr(self._local, "writing", False):
            yield conn
            return
        conn.execute("PRAGMA query_only=1")
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")
            conn.execute("PRAGMA query_only=0")

    def writable(self, min_free_bytes: int = 64 * 1024 * 1024) -> bool:
        """Readiness: the write lock can be had and the disk has room for the store to grow."""
        try:
            if self.path != ":memory:" and shutil.disk_usage(Path(self.path).parent).free < min_free_bytes:
                return False
            self.write(lambda conn: conn.execute("SELECT 1"))
            return True
        except (*STORE_ERRORS, OSError):
            return False

    def migrate(self, migrations: Sequence[Migration]) -> None:
        with self.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)")
            done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            for name, script in migrations:
                if name in done:
                    continue
                for statement in statements(script):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations(name) VALUES (?)", (name,))

    def stop_writer(self) -> None:
        """Stop the writer thread once what is queued now is committed (at an instance's stop)."""
        thread = self._writer_thread
        if thread is None or thread is threading.current_thread():
            return
        with self._writer:
            self._commit_queued()
            self._closing = True
        self._wake.set()
        thread.join(timeout=5)
        if not thread.is_alive():  # a later awaited write starts a new one
            self._writer_thread, self._closing = None, False

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
