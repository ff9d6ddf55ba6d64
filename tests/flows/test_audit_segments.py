"""Audit entries leave in segments: the entries one write transaction appended go to `{region}.audit` as
one record, in chain order (not a record, a signature and an outbox row per entry). What a rebuild or
`yrd audit verify` reads back from the topic is the chain, whichever way its entries were published."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from types import SimpleNamespace

import orjson
import pytest

from shared.adapters import audit
from shared.adapters.kafka.audit_topic import entries_in
from shared.adapters.schema import SHARED_MIGRATIONS, statements
from shared.adapters.store import Store
from shared.adapters.tokens import Principal
from shared.contracts.audit import AUDIT_RECORDED, AUDIT_SEGMENT, MAX_SEGMENT, AuditSegment
from shared.contracts.envelope import Event, decode, encode
from shared.contracts.regions import Domain, Region
from shared.contracts.topics import topic
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.instances import token

J = Region.JIASHAN
CLERK = Principal("clerk-9", J, frozenset({Role.WINDOW_CLERK}))


def published(zone, region: Region) -> list[Event]:
    """The audit events `region`'s relay would send now, decoded."""
    audit_topic = topic(region, Domain.AUDIT, "mem.")
    return [decode(d.key, d.value, d.headers) for d in zone.take() if d.topic == audit_topic]


def chain(zone, region: Region) -> list[dict]:
    return [orjson.loads(row["entry"]) for row in zone.rows(region, "SELECT entry FROM audit_log ORDER BY idx")]


def test_a_bulk_requests_entries_leave_in_one_segment_in_chain_order(zone_of):
    zone = zone_of(Domain.FILING, hold=True)
    clerk = zone.client(J, token=token(J, Role.WINDOW_CLERK))
    assert clerk.post("/filings", json=filing_body(court="qingpu")).status_code == 202
    lines = b"\n".join(orjson.dumps(filing_body(court="wujiang")) for _ in range(5))
    assert clerk.post("/filings/batch", content=lines, headers={"content-type": "application/x-ndjson"}).is_success

    single, bulk = published(zone, J)
    assert (single.type, bulk.type) == (AUDIT_SEGMENT, AUDIT_SEGMENT)
    assert [e.index for e in single.data.entries] == [1]
    assert [e.index for e in bulk.data.entries] == [2, 3, 4, 5, 6]
    assert bulk.subject == "2-6" and bulk.source == zone.runtime(J).settings.source
    stored = chain(zone, J)
    assert [e.model_dump(mode="json") for e in [*single.data.entries, *bulk.data.entries]] == stored
    assert all(e.prev_hash == before.hash for before, e in zip(bulk.data.entries, bulk.data.entries[1:], strict=False))
    assert published(zone, J) == []  # each entry leaves once


def test_more_entries_than_a_segment_holds_leave_in_several(zone_of):
    zone = zone_of(Domain.FILING, hold=True)
    runtime = zone.runtime(J)

    def audited(conn: sqlite3.Connection, count: int) -> None:
        uow = runtime.unit_of_work(conn, principal=CLERK)
        for n in range(count):
            uow.access.record_audit("filing.read", "allowed", f"f-{n}", "jiashan")

    runtime.store.write(lambda conn: audited(conn, 2 * MAX_SEGMENT + 3))
    segments = published(zone, J)
    assert [len(s.data.entries) for s in segments] == [MAX_SEGMENT, MAX_SEGMENT, 3]
    assert [e.index for s in segments for e in s.data.entries] == list(range(1, 2 * MAX_SEGMENT + 4))


def test_an_entry_rolled_back_with_its_unit_never_leaves(zone_of):
    zone = zone_of(Domain.FILING, hold=True)
    runtime = zone.runtime(J)

    def audited_then_failed(conn: sqlite3.Connection) -> None:
        runtime.unit_of_work(conn, principal=CLERK).access.record_audit("filing.read", "allowed", "f-gone", "jiashan")
        raise LookupError("the command failed after its check")

    with pytest.raises(LookupError):
        runtime.store.write(audited_then_failed)
    assert published(zone, J) == []
    runtime.store.write(
        lambda conn: runtime.unit_of_work(conn, principal=CLERK).access.record_audit("x", "allowed", "f-1", None)
    )
    (segment,) = published(zone, J)
    assert [(e.index, e.record) for e in segment.data.entries] == [(1, "f-1")]


def test_what_is_read_back_is_the_chain_from_segments_and_single_entries_alike(zone_of):
    zone = zone_of(Domain.FILING, hold=True)
    clerk = zone.client(J, token=token(J, Role.WINDOW_CLERK))
    for _ in range(3):
        assert clerk.post("/filings", json=filing_body(court="qingpu")).status_code == 202
    runtime = zone.runtime(J)
    first, *rest = [e for s in published(zone, J) for e in s.data.entries]
    source = runtime.settings.source

    def record(event_type, data, source=source) -> SimpleNamespace:
        event = Event(event_type, data, str(first.index), J, source)
        return SimpleNamespace(**vars(encode(event)))

    records = [
        record(AUDIT_SEGMENT, AuditSegment(entries=rest)),
        record(AUDIT_RECORDED, first),  # as earlier versions published it
        record(AUDIT_SEGMENT, AuditSegment(entries=rest)),  # sent twice (a relay retry)
        record(AUDIT_RECORDED, first, source="/yrd/jiashan/alerts"),  # another service's chain
        SimpleNamespace(key=b"k", value=b"{}", headers=[]),  # no event at all
    ]
    assert [e.index for e in entries_in(records, source)] == [1, 2, 3]
    hashes = {e.index: e.hash for e in entries_in(records, source)}
    assert audit.verify(runtime.store.connect(), hashes).ok


def test_a_restored_chain_is_not_published_again(tmp_path):
    entries = []
    with Store(tmp_path / "before.sqlite3").transaction() as conn:
        for n in range(3):
            entries.append(
                audit.append(
                    conn, actor="a", region="jiashan", roles=[], action="x", decision="allowed", correlation_id=str(n)
                )
            )
    store = Store(tmp_path / "rebuilt.sqlite3")
    with store.transaction() as conn:
        for entry in entries:
            audit.restore(conn, entry)
        audit.mark_published(conn)
    with store.transaction() as conn:
        assert audit.unpublished(conn) == []
        audit.append(conn, actor="a", region="jiashan", roles=[], action="y", decision="allowed", correlation_id="4")
        assert [e.index for e in audit.unpublished(conn)] == [4]


def test_an_upgraded_store_does_not_publish_again_what_it_published_one_by_one(tmp_path):
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as old:
        old.row_factory = sqlite3.Row
        old.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY)")
        for name, script in SHARED_MIGRATIONS:
            if name == "shared-005-audit-published":
                break
            for statement in statements(script):
                old.execute(statement)
            old.execute("INSERT INTO schema_migrations(name) VALUES (?)", (name,))
        old.execute("BEGIN")
        for n in range(2):
            audit.append(
                old, actor="a", region="jiashan", roles=[], action="x", decision="allowed", correlation_id=str(n)
            )
        old.execute("COMMIT")
    with Store(path).transaction() as conn:
        assert audit.unpublished(conn) == []
