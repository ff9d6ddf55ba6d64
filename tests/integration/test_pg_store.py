"""The store boundary on both backends: the store's behaviour (migrations once, a failed transaction leaves
nothing, housekeeping, group commit, after-commit actions, outbox listeners) on SQLite and on PostgreSQL
alike; then, on PostgreSQL, the shared tables' SQL through the dialect, and what several processes of one
instance need: gapless numbers under concurrent writers of two stores, and one relay claim at a time."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from shared.adapters import audit, idempotency, outbox, records
from shared.adapters.schema import mark_processed, processed, prune
from shared.adapters.store import Store
from shared.adapters.store_errors import STORE_ERRORS
from shared.adapters.stores import open_store
from shared.adapters.transactions import after_commit, savepoint, staged_outbox
from tests.unit.test_consumer_runner import withdrawal


def _postgres_installed() -> bool:
    from tests.pg_cluster import program

    try:
        program("pg_ctl")
    except FileNotFoundError:
        return False
    return True


# Without PostgreSQL's programs (`make setup` installs them) the PostgreSQL cases are skipped, SQLite's run.
NEEDS_PG = pytest.mark.skipif(not _postgres_installed(), reason="no PostgreSQL programs: `make setup` installs them")
pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
THINGS = [("t-1", "CREATE TABLE things (id TEXT PRIMARY KEY)"), ("t-2", "CREATE TABLE t (n INTEGER PRIMARY KEY)")]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=NEEDS_PG)])
def open_one(request, tmp_path):
    """Opens a store (again, on the same file or schema, when called again) on the parametrised backend."""
    opened: list[Store] = []
    if request.param == "sqlite":
        where, schema = tmp_path / "s.sqlite3", None
    else:
        where, schema = request.getfixturevalue("pg_dsn"), request.getfixturevalue("pg_schema").name

    def make(migrations=THINGS) -> Store:
        store = open_store(where, migrations, schema)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.stop_writer()
        if store.dialect == "postgresql":
            store.close()


@pytest.fixture
def store(open_one):
    return open_one()


@pytest.fixture
def pg(pg_dsn, pg_schema):
    from shared.adapters.pg.store import PgStore

    stores = [PgStore(pg_dsn, pg_schema.name, THINGS)]
    yield stores[0]
    stores[0].stop_writer()
    stores[0].close()


def stage(conn) -> None:
    conn.execute(
        "INSERT INTO outbox(event_id, topic, key, value, headers) VALUES (?, 't', ?, ?, '[]')",
        (uuid.uuid4().hex, b"", b""),
    )
    staged_outbox(conn)


def count(store: Store, table: str) -> int:
    return store.connect().execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- the store's behaviour, on both backends ---


def test_migrations_apply_once(open_one, store):
    again = open_one()
    names = [r[0] for r in again.connect().execute("SELECT name FROM schema_migrations")]
    assert names.count("t-1") == 1 and "shared-001-outbox" in names


def test_a_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.transaction() as conn:
        conn.execute("INSERT INTO things VALUES ('a')")
        raise RuntimeError("half-way")
    assert count(store, "things") == 0


def test_housekeeping_forgets_old_sent_rows_and_expired_keys_only(store):
    with store.transaction() as conn:
        for event_id, sent_at in (("old", "2026-11-01T00:00:00.000Z"), ("recent", "2026-11-25T00:00:00.000Z")):
            conn.execute(
                "INSERT INTO outbox(event_id, topic, key, value, headers, sent_at) VALUES (?,?,?,?,?,?)",
                (event_id, "t", b"k", b"v", b"[]", sent_at),
            )
        conn.execute(
            "INSERT INTO outbox(event_id, topic, key, value, headers) VALUES ('unsent', 't', ?, ?, ?)",
            (b"k", b"v", b"[]"),
        )
        for event_id in ("old", "recent", "unsent"):
            mark_processed(conn, event_id)
        for key, created in (("stale", "2026-11-24T00:00:00.000Z"), ("fresh", "2026-11-26T06:00:00.000Z")):
            conn.execute(
                "INSERT INTO idempotency_keys(scope, key, fingerprint, status, body, created_at) "
                "VALUES ('s', ?, 'f', 202, ?, ?)",
                (key, b"{}", created),
            )
        assert prune(conn, NOW) == 2
    conn = store.connect()
    assert {r[0] for r in conn.execute("SELECT event_id FROM outbox")} == {"recent", "unsent"}
    assert {r[0] for r in conn.execute("SELECT key FROM idempotency_keys")} == {"fresh"}
    assert count(store, "processed_events") == 3
    stamped = conn.execute("SELECT created_at FROM outbox WHERE event_id = 'unsent'").fetchone()[0]
    assert abs(datetime.fromisoformat(stamped) - datetime.now(UTC)) < timedelta(minutes=1)  # the default's form


def inserting(n: int, refuses: bool):
    def unit(conn):
        conn.execute("INSERT INTO t(n) VALUES (?)", (n,))
        if refuses:
            raise ValueError(f"unit {n} refuses")
        return n

    return unit


def test_group_commit_keeps_each_unit_alone_and_every_success(store):
    results, errors = {}, {}

    def worker(start: int) -> None:
        for n in range(start, start + 25):
            try:
                results[n] = store.write(inserting(n, refuses=n % 10 == 0))
            except ValueError:
                errors[n] = True

    threads = [threading.Thread(target=worker, args=(k * 25 + 1,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kept = {row[0] for row in store.connect().execute("SELECT n FROM t")}
    assert kept == set(results) and len(kept) == 200 - 20
    assert set(errors) == {n for n in range(1, 201) if n % 10 == 0}
    assert store.write(lambda conn: store.write(lambda inner: inner.execute("SELECT 1").fetchone()[0])) == 1


def test_a_unit_whose_statement_fails_fails_alone_in_its_group(store):
    """On PostgreSQL a failed statement spoils its transaction until rolled back to a savepoint: the
    unit's own savepoint takes it, and the batch's other units commit."""
    store.write(lambda conn: conn.execute("INSERT INTO t(n) VALUES (1)"))
    outcomes: dict[int, object] = {}
    gate = threading.Barrier(6)

    def unit(n: int) -> None:
        gate.wait()
        try:
            outcomes[n] = store.write(inserting(1 if n == 0 else n + 10, refuses=False))
        except STORE_ERRORS as error:  # the duplicate: sqlite3's IntegrityError, psycopg's UniqueViolation
            outcomes[n] = type(error).__name__

    threads = [threading.Thread(target=unit, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes[0] in {"IntegrityError", "UniqueViolation"}
    assert {outcomes[n] for n in range(1, 6)} == {11, 12, 13, 14, 15}
    assert {row[0] for row in store.connect().execute("SELECT n FROM t")} == {1, 11, 12, 13, 14, 15}


def test_reads_never_write(store):
    with pytest.raises(STORE_ERRORS), store.read() as conn:
        conn.execute("INSERT INTO t(n) VALUES (1)")
    store.write(lambda conn: conn.execute("INSERT INTO t(n) VALUES (2)"))
    with store.read() as conn:
        assert conn.execute("SELECT n FROM t").fetchall()[0][0] == 2


def test_a_read_is_a_snapshot(store):
    store.write(lambda conn: conn.execute("INSERT INTO t(n) VALUES (1)"))
    with store.read() as conn:
        before = conn.execute("SELECT count(*) FROM t").fetchone()[0]
        threading.Thread(target=store.write, args=(lambda c: c.execute("INSERT INTO t(n) VALUES (2)"),)).start()
        threading.Event().wait(0.3)
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == before == 1
    assert count(store, "t") == 2


def test_outbox_listeners_hear_only_of_committed_outbox_rows(store):
    woken: list[int] = []
    store.on_outbox_commit(lambda: woken.append(count(store, "outbox")))
    store.write(lambda conn: conn.execute("INSERT INTO things VALUES ('no-event')"))
    assert woken == []
    store.write(stage)
    assert woken == [1]
    with pytest.raises(RuntimeError), store.transaction() as conn:
        stage(conn)
        raise RuntimeError("rolled back")
    assert woken == [1]
    store.write(lambda conn: (stage(conn), store.write(stage)))
    with store.transaction() as conn:
        stage(conn)
    assert woken == [1, 3, 4]


def test_after_commit_actions_run_once_committed_and_never_for_work_rolled_back(store):
    done: list[str] = []

    def failing(conn):
        after_commit(conn, lambda: done.append("failing"))
        raise ValueError("refused")

    with store.transaction() as conn:
        after_commit(conn, lambda: done.append("before"))
        with pytest.raises(ValueError), savepoint(conn, "unit"):
            failing(conn)
        after_commit(conn, lambda: done.append("after"))
    with pytest.raises(ValueError):
        store.write(failing)
    with pytest.raises(RuntimeError), store.transaction() as conn:
        after_commit(conn, lambda: done.append("rolled back"))
        raise RuntimeError("disk full")
    assert done == ["before", "after"]


def test_coroutines_units_are_grouped_committed_before_answered_and_fail_alone(store):
    seen_when_answered: dict[int, bool] = {}
    answers_before: list[int] = []

    async def one(n: int) -> int | str:
        try:
            answer = await store.write_async(inserting(n, refuses=n % 7 == 0))
        except ValueError:
            return "refused"
        found = store.connect().execute("SELECT 1 FROM t WHERE n = ?", (n,)).fetchone()  # another connection
        seen_when_answered[n] = found is not None
        return answer

    async def all_at_once() -> list:
        return await asyncio.wait_for(asyncio.gather(*(one(n) for n in range(1, 101))), 60)

    answers_before.extend(asyncio.run(all_at_once()))
    assert answers_before == ["refused" if n % 7 == 0 else n for n in range(1, 101)]
    assert all(seen_when_answered.values()) and len(seen_when_answered) == 100 - 14
    store.stop_writer()
    assert asyncio.run(store.write_async(inserting(500, refuses=False))) == 500
    store.stop_writer()


def test_a_coroutines_unit_runs_in_the_coroutines_context(store):
    request = contextvars.ContextVar("request", default=None)

    async def as_a_request(name: str) -> str | None:
        request.set(name)
        return await store.write_async(lambda conn: request.get())

    async def two() -> list:
        return await asyncio.gather(as_a_request("first"), as_a_request("second"))

    assert asyncio.run(two()) == ["first", "second"]
    store.stop_writer()


def test_writable_says_yes_while_the_store_answers(store):
    assert store.writable(min_free_bytes=0)


# --- the shared tables' SQL on PostgreSQL ---


@NEEDS_PG
def test_a_write_holds_the_instances_lock_and_a_read_never_takes_it(pg):
    held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
    assert pg.write(lambda conn: conn.execute(held).fetchone()[0]) == 1
    with pg.read() as conn:
        assert conn.execute(held).fetchone()[0] == 0


@NEEDS_PG
def test_numbers_come_back_as_sqlite_gives_them(pg):
    pg.write(lambda conn: conn.executemany("INSERT INTO t(n) VALUES (?)", [(1,), (2,), (4,)]))
    row = pg.connect().execute("SELECT sum(n), avg(n), count(*) FROM t").fetchone()
    assert tuple(row) == (7, pytest.approx(7 / 3), 3) and isinstance(row[0], int) and isinstance(row[1], float)


@NEEDS_PG
def test_outbox_rows_are_staged_claimed_and_marked_sent_as_bytes(pg):
    events = [withdrawal(f"f-{n}") for n in range(3)]
    pg.write(lambda conn: [outbox.add(conn, "jiashan.filing", event) for event in events])
    assert all(pg.write(lambda conn, e=e: processed(conn, e.id)) for e in events)
    with pg.outbox_claim() as conn:
        rows = outbox.pending(conn, 10, lock=True)
        assert [row["key"] for row in rows] == [e.subject.encode() for e in events]
        assert isinstance(rows[0]["value"], bytes)
        assert dict(outbox.stored_headers(rows[0]))["ce_id"] == events[0].id.encode()
        pg.mark_claimed(conn, lambda c: outbox.mark_sent(c, [rows[0]["seq"], rows[1]["seq"]]))
    assert outbox.backlog(pg.connect()) == 1
    sent_at = pg.connect().execute("SELECT sent_at FROM outbox WHERE sent_at IS NOT NULL").fetchone()[0]
    assert sent_at.endswith("Z") and len(sent_at) == len("2026-11-26T12:00:00.000Z")


@NEEDS_PG
def test_one_relay_of_an_instance_claims_at_a_time(pg, pg_dsn, pg_schema):
    from shared.adapters.pg.store import PgStore

    other = PgStore(pg_dsn, pg_schema.name, THINGS)  # a second process's store of the same instance
    try:
        pg.write(stage)
        with pg.outbox_claim() as mine:
            assert len(outbox.pending(mine, 10, lock=True)) == 1
            with other.outbox_claim() as theirs:
                assert theirs is None  # it publishes nothing while this claim lasts
        with other.outbox_claim() as theirs:
            assert theirs is not None and len(outbox.pending(theirs, 10, lock=True)) == 1
    finally:
        other.close()


@NEEDS_PG
def test_idempotency_answers_keep_their_bytes(pg):
    body = {"path": "C:\\dockets\\2026", "quote": 'a "b"', "text": "案号"}
    pg.write(lambda conn: idempotency.remember(conn, "s", "k", "fp", 202, body))
    assert pg.write(lambda conn: idempotency.first_answer(conn, "s", "k", "fp")) == (202, body)
    assert pg.write(lambda conn: idempotency.first_answer(conn, "s", "other", "fp")) is None


@NEEDS_PG
def test_the_audit_chain_appends_verifies_and_catches_an_alteration(pg):
    def append(conn, n: int) -> None:
        audit.append(
            conn,
            actor=f"clerk-{n % 2}",
            region="jiashan",
            roles=["window_clerk"],
            action="filing.submit",
            record=f"f-{n}",
            decision="allowed",
            correlation_id="c",
        )

    for n in range(6):
        pg.write(lambda conn, n=n: append(conn, n))
    conn = pg.connect()
    assert audit.verify(conn) == audit.ChainReport(True, 6)
    since = datetime.now(UTC) - timedelta(hours=1)
    found = audit.search(conn, {"actor": "clerk-1", "since": since}, 10, None)  # INDEXED BY on SQLite
    assert [e.record for e in found] == ["f-5", "f-3", "f-1"]
    assert pg.write(audit.unpublished)[-1].index == 6 and pg.write(audit.unpublished) == []
    entry = orjson.loads(conn.execute("SELECT entry FROM audit_log WHERE idx = 3").fetchone()[0])
    entry["decision"] = "denied"
    conn.execute("UPDATE audit_log SET entry = ? WHERE idx = 3", (orjson.dumps(entry),))
    assert audit.verify(conn).first_bad_index == 3


@NEEDS_PG
def test_a_records_timeline_lists_its_events_as_stored(pg):
    events = [withdrawal("f-1") for _ in range(3)]
    same_instant = [e.__class__(**{**e.__dict__, "time": NOW}) for e in events]
    pg.write(lambda conn: [records.add_timeline(conn, e, "f-1", {"n": n}) for n, e in enumerate(same_instant)])
    pg.write(lambda conn: records.add_timeline(conn, same_instant[0], "f-1", {"n": 9}))  # a redelivery: ignored
    listed = pg.write(lambda conn: records.timeline(conn, "f-1"))
    assert [item["detail"] for item in listed] == [{"n": 0}, {"n": 1}, {"n": 2}]


@NEEDS_PG
def test_versioned_upserts_search_and_the_listed_view(pg_dsn, pg_schema):
    from shared.adapters.pg.store import PgStore

    migrations = [
        (
            "r-1",
            "CREATE TABLE items (id TEXT PRIMARY KEY, version INTEGER NOT NULL, status TEXT, at TEXT, "
            "parties TEXT, urgent INTEGER NOT NULL DEFAULT 0)",
        ),
        ("r-2", records.listed_view("items", ("id", "status", "parties", "urgent"), ["parties"], ["urgent"])),
    ]
    store = PgStore(pg_dsn, pg_schema.name, migrations)
    try:
        store.write(lambda c: records.apply_versioned(c, "items", "i-1", 2, status="accepted", at="2026-11-02"))
        store.write(
            lambda c: records.create_versioned(
                c, "items", {"id": "i-1", "version": 1, "status": "submitted", "at": "x", "parties": [{"n": "李"}]}
            )
        )
        store.write(lambda c: records.insert(c, "items", {"id": "i-2", "version": 1, "urgent": 1}, or_ignore=True))
        store.write(lambda c: records.insert(c, "items", {"id": "i-2", "version": 5}, or_ignore=True))
        row = store.connect().execute("SELECT * FROM items WHERE id = 'i-1'").fetchone()
        assert (row["version"], row["status"], row["at"]) == (2, "accepted", "2026-11-02")  # newer kept
        assert orjson.loads(row["listed"]) == {
            "id": "i-1",
            "status": "accepted",
            "parties": [{"n": "李"}],
            "urgent": False,
        }
        assert list(orjson.loads(row["listed"])) == ["id", "status", "parties", "urgent"]  # the list's order
        listed = orjson.loads(store.connect().execute("SELECT listed FROM items WHERE id = 'i-2'").fetchone()[0])
        assert listed["urgent"] is True
        with store.read() as conn:
            first = records.search(conn, "items", [("version >= ?", 1)], "id", 1, None, records.as_dict)
            second = records.search(
                conn, "items", [("version >= ?", 1)], "id", 1, first["next_cursor"], records.as_dict
            )
        assert [i["id"] for i in first["items"] + second["items"]] == ["i-2", "i-1"]
    finally:
        store.stop_writer()
        store.close()


# --- several processes of one instance ---


@NEEDS_PG
def test_numbers_stay_gapless_and_unique_under_concurrent_writers_of_two_stores(pg_dsn, pg_schema):
    """Two stores on one schema (as two processes), two threads each, every unit reading the highest
    number and writing the next: the advisory write lock makes them one at a time."""
    from shared.adapters.pg.store import PgStore

    migrations = [("d-1", "CREATE TABLE dockets (n INTEGER PRIMARY KEY, by TEXT NOT NULL)")]
    stores = [PgStore(pg_dsn, pg_schema.name, migrations) for _ in range(2)]

    def next_docket(conn, by: str) -> int:
        n = conn.execute("SELECT coalesce(max(n), 0) + 1 FROM dockets").fetchone()[0]
        conn.execute("INSERT INTO dockets(n, by) VALUES (?, ?)", (n, by))
        return n

    given: list[int] = []

    def worker(store: PgStore, name: str) -> None:
        for _ in range(40):
            given.append(store.write(lambda conn: next_docket(conn, name)))

    threads = [threading.Thread(target=worker, args=(s, f"{i}-{k}")) for i, s in enumerate(stores) for k in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stored = [row[0] for row in stores[0].connect().execute("SELECT n FROM dockets ORDER BY n")]
        writers = {row[0] for row in stores[0].connect().execute("SELECT DISTINCT by FROM dockets")}
        assert sorted(given) == stored == list(range(1, 161)) and len(writers) == 4
    finally:
        for store in stores:
            store.close()


@NEEDS_PG
def test_two_processes_relays_publish_each_event_once_and_each_records_in_order(pg_dsn, pg_schema, kafka, prefix):
    """Two stores of one instance (as two processes), each with its relay, writing events of five records
    turn about: on the topic, every event once, and each record's events in the order they were stored."""

    from shared.adapters.kafka.producer import make_producer
    from shared.adapters.pg.store import PgStore
    from shared.contracts.regions import Domain, Region
    from shared.contracts.topics import topic
    from tests.helpers import eventually
    from tests.integration.test_platform import read_all

    name = topic(Region.JIASHAN, Domain.FILING, prefix)
    stores = [PgStore(pg_dsn, pg_schema.name, THINGS) for _ in range(2)]
    relays = [
        outbox.OutboxRelay(s, lambda: make_producer(kafka), {"service": "test", "region": "jiashan"}, poll_seconds=0.05)
        for s in stores
    ]
    stop = threading.Event()
    threads = [threading.Thread(target=r.run, args=(stop,), daemon=True) for r in relays]
    for thread in threads:
        thread.start()
    try:
        for n in range(60):
            event = withdrawal(f"f-{n % 5}")
            stores[n % 2].write(lambda conn, event=event: outbox.add(conn, name, event))
        eventually(lambda: outbox.backlog(stores[0].connect()) == 0, timeout=30, what="the outbox drained")
        stored = [
            (r[0].decode(), r[1]) for r in stores[0].connect().execute("SELECT key, event_id FROM outbox ORDER BY seq")
        ]
        published = read_all(kafka, name, 60)
        ids = [dict(record.headers)["ce_id"].decode() for record in published]
        assert sorted(ids) == sorted(event_id for _, event_id in stored) and len(ids) == 60  # each once
        for key in {key for key, _ in stored}:
            on_topic = [dict(r.headers)["ce_id"].decode() for r in published if r.key.decode() == key]
            assert on_topic == [event_id for k, event_id in stored if k == key]
    finally:
        stop.set()
        for relay in relays:
            relay.notify()
        for thread in threads:
            thread.join(10)
        for store in stores:
            store.close()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=NEEDS_PG)])
def test_a_store_set_aside_leaves_room_for_a_fresh_one(backend, tmp_path, request):
    """What a rebuild does first: the store moved out of the way, whole; the next one opened is empty."""
    from types import SimpleNamespace

    from shared.adapters.stores import set_aside

    url = request.getfixturevalue("pg_dsn") if backend == "postgresql" else None
    schema = f"aside_{uuid.uuid4().hex[:8]}"
    settings = SimpleNamespace(store_url=url, store_schema=schema, db_path=tmp_path / "i.sqlite3")
    store = open_store(settings, THINGS)
    store.write(lambda conn: conn.execute("INSERT INTO things VALUES ('kept')"))
    store.stop_writer()
    store.close()
    aside = set_aside(settings, "pre-rebuild-1")
    assert aside is not None and set_aside(settings, "pre-rebuild-2") is None  # nothing left to move
    fresh = open_store(settings, THINGS)
    try:
        assert count(fresh, "things") == 0
    finally:
        fresh.close()
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute(f'SELECT id FROM "{aside}".things').fetchone()[0] == "kept"
            for name in (schema, aside):
                conn.execute(f'DROP SCHEMA "{name}" CASCADE')
