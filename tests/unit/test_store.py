"""The store boundary: migrations once, atomic transactions, housekeeping that keeps what must stay."""

from datetime import UTC, datetime

import pytest

from shared.adapters.schema import prune
from shared.adapters.store import Store

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "s.sqlite3", [("t-1", "CREATE TABLE things (id TEXT PRIMARY KEY)")])


def test_migrations_apply_once(tmp_path, store):
    again = Store(tmp_path / "s.sqlite3", [("t-1", "CREATE TABLE things (id TEXT PRIMARY KEY)")])
    names = [r[0] for r in again.connect().execute("SELECT name FROM schema_migrations")]
    assert names.count("t-1") == 1 and "shared-001-outbox" in names


def test_a_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.transaction() as conn:
        conn.execute("INSERT INTO things VALUES ('a')")
        raise RuntimeError("half-way")
    assert store.connect().execute("SELECT count(*) FROM things").fetchone()[0] == 0


def test_housekeeping_forgets_old_sent_rows_and_expired_keys_only(store):
    with store.transaction() as conn:
        for event_id, sent_at in (
            ("old", "2026-11-01T00:00:00.000Z"),
            ("recent", "2026-11-25T00:00:00.000Z"),
            ("unsent", None),
        ):
            conn.execute(
                "INSERT INTO outbox(event_id, topic, key, value, headers, sent_at) VALUES (?,?,?,?,?,?)",
                (event_id, "t", b"k", b"v", b"[]", sent_at),
            )
            conn.execute("INSERT INTO processed_events(event_id) VALUES (?)", (event_id,))
        for key, created in (("stale", "2026-11-24T00:00:00.000Z"), ("fresh", "2026-11-26T06:00:00.000Z")):
            conn.execute(
                "INSERT INTO idempotency_keys(scope, key, fingerprint, status, body, created_at) "
                "VALUES ('s', ?, 'f', 202, x'7b7d', ?)",
                (key, created),
            )
        assert prune(conn, NOW) == 2
    conn = store.connect()
    assert {r[0] for r in conn.execute("SELECT event_id FROM outbox")} == {"recent", "unsent"}
    assert {r[0] for r in conn.execute("SELECT key FROM idempotency_keys")} == {"fresh"}
    assert conn.execute("SELECT count(*) FROM processed_events").fetchone()[0] == 3


def inserting(n: int, refuses: bool):
    """A unit that inserts `n` into t and answers it, or inserts it and then refuses (ValueError)."""

    def unit(conn):
        conn.execute("INSERT INTO t(n) VALUES (?)", (n,))
        if refuses:
            raise ValueError(f"unit {n} refuses")
        return n

    return unit


def test_group_commit_keeps_each_unit_alone_and_every_success(tmp_path):
    import threading

    from shared.adapters.store import Store

    store = Store(tmp_path / "g.sqlite3", [("t", "CREATE TABLE t (n INTEGER PRIMARY KEY)")])

    def insert(n: int):
        return inserting(n, refuses=n % 10 == 0)  # a refusing unit is rolled back alone

    results, errors = {}, {}

    def worker(start: int) -> None:
        for n in range(start, start + 50):
            try:
                results[n] = store.write(insert(n))
            except ValueError:
                errors[n] = True

    threads = [threading.Thread(target=worker, args=(k * 50 + 1,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kept = {row[0] for row in store.connect().execute("SELECT n FROM t")}
    assert kept == set(results) and len(kept) == 400 - 40
    assert set(errors) == {n for n in range(1, 401) if n % 10 == 0}
    assert store.write(lambda conn: store.write(lambda inner: inner.execute("SELECT 1").fetchone()[0])) == 1


def test_reads_never_write(tmp_path):
    import sqlite3

    import pytest

    from shared.adapters.store import Store

    store = Store(tmp_path / "r.sqlite3", [("t", "CREATE TABLE t (n INTEGER PRIMARY KEY)")])
    with pytest.raises(sqlite3.OperationalError), store.read() as conn:
        conn.execute("INSERT INTO t(n) VALUES (1)")
    store.write(lambda conn: conn.execute("INSERT INTO t(n) VALUES (2)"))
    with store.read() as conn:
        assert conn.execute("SELECT n FROM t").fetchall()[0][0] == 2


def test_outbox_listeners_hear_only_of_committed_outbox_rows(store):
    from shared.adapters.transactions import staged_outbox

    def stage(conn):
        conn.execute(
            "INSERT INTO outbox(event_id, topic, key, value, headers) VALUES (hex(randomblob(8)), 't', x'', x'', '[]')"
        )
        staged_outbox(conn)

    woken: list[int] = []
    store.on_outbox_commit(lambda: woken.append(store.connect().execute("SELECT count(*) FROM outbox").fetchone()[0]))

    store.write(lambda conn: conn.execute("INSERT INTO things VALUES ('no-event')"))
    assert woken == []  # nothing staged, no one woken

    store.write(stage)
    assert woken == [1]  # after the commit: the row is there to be found

    with pytest.raises(RuntimeError), store.transaction() as conn:
        stage(conn)
        raise RuntimeError("rolled back")
    assert woken == [1]  # the row never existed for anyone

    store.write(lambda conn: (stage(conn), store.write(stage)))  # a nested write is part of its unit
    with store.transaction() as conn:
        stage(conn)
    assert woken == [1, 3, 4]  # once per committed transaction


def test_a_checkpoint_puts_what_was_committed_into_the_database_file_itself(tmp_path, store):
    import shutil
    import sqlite3

    def file_alone() -> list[str]:  # the database file without its WAL: what a checkpoint has copied
        copy = tmp_path / "copy.sqlite3"
        shutil.copyfile(store.path, copy)
        with sqlite3.connect(copy) as conn:
            return [row[0] for row in conn.execute("SELECT id FROM things")]

    store.checkpoint()  # the migrations
    store.write(lambda conn: conn.execute("INSERT INTO things VALUES ('a')"))
    assert file_alone() == []  # committed to the WAL only: below the mark, commits never checkpoint
    store.checkpoint()
    assert file_alone() == ["a"]
    store.write(lambda conn: conn.execute("INSERT INTO things VALUES ('b')"))
    store.checkpoint()
    assert file_alone() == ["a", "b"]


def test_coroutines_units_are_grouped_committed_before_answered_and_fail_alone(tmp_path):
    """`write_async`: awaited units go to the writer thread beside threads' units; each is answered only
    once its transaction has committed (another connection sees it), a refusing one fails alone, and
    stopping the writer commits what is still queued."""
    import asyncio
    import sqlite3
    import threading

    store = Store(tmp_path / "a.sqlite3", [("t", "CREATE TABLE t (n INTEGER PRIMARY KEY)")])
    other = sqlite3.connect(tmp_path / "a.sqlite3")
    seen_when_answered: dict[int, bool] = {}

    def insert(n: int):
        return inserting(n, refuses=n % 7 == 0 and n < 1000)  # the threads' units (1000 and up) all succeed

    async def one(n: int) -> int | str:
        try:
            answer = await store.write_async(insert(n))
        except ValueError:
            return "refused"
        seen_when_answered[n] = other.execute("SELECT 1 FROM t WHERE n = ?", (n,)).fetchone() is not None
        return answer

    async def all_at_once() -> list:
        return await asyncio.wait_for(asyncio.gather(*(one(n) for n in range(1, 201))), 30)

    threads = [threading.Thread(target=store.write, args=(insert(1000 + k),)) for k in range(1, 40)]
    for thread in threads:
        thread.start()
    answers = asyncio.run(all_at_once())
    for thread in threads:
        thread.join()

    assert answers == ["refused" if n % 7 == 0 else n for n in range(1, 201)]
    assert all(seen_when_answered.values()) and len(seen_when_answered) == 200 - 28
    kept = {row[0] for row in other.execute("SELECT n FROM t")}
    assert kept == {n for n in range(1, 201) if n % 7} | {1000 + k for k in range(1, 40)}
    writer = store._writer_thread
    assert writer is not None and writer.is_alive()
    store.stop_writer()
    assert not writer.is_alive()
    assert asyncio.run(store.write_async(insert(500))) == 500  # a stopped store's next awaited write starts a writer
    assert store._writer_thread is not writer
    store.stop_writer()


def test_a_coroutines_unit_runs_in_the_coroutines_context(store):
    """What the request set (its correlation id, for the log lines written inside the unit) is what the
    unit sees on the writer thread."""
    import asyncio
    import contextvars

    request = contextvars.ContextVar("request", default=None)

    async def as_a_request(name: str) -> str | None:
        request.set(name)
        return await store.write_async(lambda conn: request.get())

    async def two_requests() -> list:
        return await asyncio.gather(as_a_request("first"), as_a_request("second"))

    assert asyncio.run(two_requests()) == ["first", "second"]
    store.stop_writer()


def test_a_coroutines_outbox_rows_wake_the_listeners_after_their_commit(store):
    import asyncio

    from shared.adapters.transactions import staged_outbox

    heard: list[int] = []
    store.on_outbox_commit(lambda: heard.append(store.connect().execute("SELECT count(*) FROM outbox").fetchone()[0]))

    def stage(conn):
        conn.execute(
            "INSERT INTO outbox(event_id, topic, key, value, headers) VALUES (hex(randomblob(8)), 't', x'', x'', '[]')"
        )
        staged_outbox(conn)

    asyncio.run(store.write_async(stage))
    assert heard == [1]  # told once, with the row already committed
    store.stop_writer()
