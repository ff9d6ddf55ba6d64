"""The store boundary: migrations once, atomic transactions, housekeeping that keeps what must stay."""

from datetime import UTC, datetime

import pytest

from shared.store import Store, prune

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
