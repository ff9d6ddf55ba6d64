"""The audit chain names the first entry that was altered, removed or reordered."""

import orjson
import pytest

from shared.adapters import audit
from shared.adapters.store import Store


@pytest.fixture
def conn(tmp_path):
    store = Store(tmp_path / "audit.sqlite3")
    with store.transaction() as c:
        for i in range(5):
            audit.append(
                c,
                actor=f"clerk-{i}",
                region="qingpu",
                roles=["window_clerk"],
                action="filing.submit",
                record=f"f-{i}",
                decision="allowed",
                correlation_id="c",
            )
    return store.connect()


def test_an_untouched_chain_verifies(conn):
    assert audit.verify(conn) == audit.ChainReport(True, 5)


def test_altered_entry_is_named(conn):
    entry = orjson.loads(conn.execute("SELECT entry FROM audit_log WHERE idx = 3").fetchone()[0])
    entry["decision"] = "denied"
    conn.execute("UPDATE audit_log SET entry = ? WHERE idx = 3", (orjson.dumps(entry),))
    report = audit.verify(conn)
    assert (report.ok, report.first_bad_index, report.problem) == (False, 3, "content altered")


def test_removed_entry_is_named(conn):
    conn.execute("DELETE FROM audit_index WHERE idx = 2")
    conn.execute("DELETE FROM audit_log WHERE idx = 2")
    report = audit.verify(conn)
    assert (report.ok, report.first_bad_index) == (False, 2)


def test_reordered_entries_are_named(conn):
    rows = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT idx, entry, hash FROM audit_log")}
    conn.execute("UPDATE audit_log SET entry = ?, hash = ? WHERE idx = 4", rows[5])
    conn.execute("UPDATE audit_log SET entry = ?, hash = ? WHERE idx = 5", rows[4])
    report = audit.verify(conn)
    assert (report.ok, report.first_bad_index) == (False, 4)


def test_a_rehashed_forgery_still_breaks_the_link(conn):
    entry = orjson.loads(conn.execute("SELECT entry FROM audit_log WHERE idx = 2").fetchone()[0])
    entry["actor"] = "someone-else"
    entry.pop("hash")
    forged = audit._digest(entry)
    conn.execute(
        "UPDATE audit_log SET entry = ?, hash = ? WHERE idx = 2", (orjson.dumps({**entry, "hash": forged}), forged)
    )
    report = audit.verify(conn)
    assert (report.ok, report.first_bad_index) == (False, 3)  # entry 3 no longer links to entry 2


def _published(conn):
    return dict(conn.execute("SELECT idx, hash FROM audit_log").fetchall())


def test_a_removed_tail_is_caught_against_the_published_copy(conn):
    published = _published(conn)
    conn.execute("DELETE FROM audit_index WHERE idx = 5")
    conn.execute("DELETE FROM audit_log WHERE idx = 5")
    assert audit.verify(conn).ok  # the chain alone cannot tell
    report = audit.verify(conn, published)
    assert (report.ok, report.first_bad_index) == (False, 5)
    assert "missing here" in report.problem


def test_a_forged_and_rechained_tail_is_caught_against_the_published_copy(conn):
    published = _published(conn)
    prev = conn.execute("SELECT hash FROM audit_log WHERE idx = 2").fetchone()[0]
    for idx in (3, 4, 5):  # alter entry 3 and re-chain everything after it
        entry = orjson.loads(conn.execute("SELECT entry FROM audit_log WHERE idx = ?", (idx,)).fetchone()[0])
        entry.pop("hash")
        entry["prev_hash"] = prev
        if idx == 3:
            entry["actor"] = "someone-else"
        prev = audit._digest(entry)
        conn.execute(
            "UPDATE audit_log SET entry = ?, hash = ? WHERE idx = ?", (orjson.dumps({**entry, "hash": prev}), prev, idx)
        )
    assert audit.verify(conn).ok
    report = audit.verify(conn, published)
    assert (report.ok, report.first_bad_index) == (False, 3)
