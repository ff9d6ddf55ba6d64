"""An owner's changes applied by version converge whatever order they arrive in, field by field: the
newest change that set a field decides it, whether a newer one arrived before it or not."""

from __future__ import annotations

from itertools import permutations

from shared.adapters import records
from shared.adapters.store import Store

TABLE = [
    (
        "t-1",
        "CREATE TABLE items (id TEXT PRIMARY KEY, version INTEGER NOT NULL, status TEXT, documents TEXT, "
        "received_at TEXT, docket TEXT, details TEXT)",
    )
]
SUBMITTED = (1, {"status": "submitted", "documents": ["起诉状.pdf"], "details": "full"})
RECEIVED = (2, {"status": "received", "received_at": "2026-12-01"})
RESUBMITTED = (4, {"status": "resubmitted", "documents": ["补充证据.pdf"]})
ACCEPTED = (5, {"status": "accepted", "docket": "(2026)沪0118民初1号"})
RELEASED = (6, {"status": "released", "details": None})  # what a release clears stays cleared


def _final(changes) -> dict:
    store = Store(":memory:", TABLE)
    for version, fields in changes:
        if version == 1:
            store.write(lambda c, f=fields: records.create_versioned(c, "items", {"id": "i", "version": 1, **f}))
        else:
            store.write(lambda c, v=version, f=fields: records.apply_versioned(c, "items", "i", v, **f))
    row = store.connect().execute("SELECT * FROM items WHERE id = 'i'").fetchone()
    return records.decode_json_columns(row, ["documents"])


def test_every_order_of_the_changes_gives_the_same_row():
    expected = _final([SUBMITTED, RECEIVED, RESUBMITTED, ACCEPTED, RELEASED])
    assert expected == {
        "id": "i",
        "version": 6,
        "status": "released",
        "documents": ["补充证据.pdf"],
        "received_at": "2026-12-01",
        "docket": "(2026)沪0118民初1号",
        "details": None,
    }
    for order in permutations([SUBMITTED, RECEIVED, RESUBMITTED, ACCEPTED, RELEASED]):
        assert _final(order) == expected, [version for version, _ in order]


def test_a_change_delivered_twice_changes_nothing_the_second_time():
    once = _final([ACCEPTED, SUBMITTED, RESUBMITTED])
    assert _final([ACCEPTED, SUBMITTED, RESUBMITTED, SUBMITTED, ACCEPTED, RESUBMITTED]) == once
    assert once["documents"] == ["补充证据.pdf"] and once["status"] == "accepted"
