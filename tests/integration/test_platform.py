"""The shared library against the real broker: round trip, dead letters, idempotent redelivery."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.consumer import ConsumerConfig, ConsumerRunner
from shared.adapters.kafka.dlq import read_dead_letters, replay
from shared.adapters.kafka.producer import make_producer
from shared.contracts import filing as ev
from shared.contracts.regions import Region
from shared.contracts.topics import dlq, topic
from tests.helpers import eventually
from tests.integration.nodes import Node, make_node, record_seen

pytestmark = pytest.mark.integration


def withdrawn(filing_id: str) -> ev.Withdrawn:
    return ev.Withdrawn(filing_id=filing_id, version=2, reason="settled", withdrawn_at=datetime.now(UTC))


def read_all(kafka: KafkaAccess, topic_name: str, expected: int, timeout: float = 15.0) -> list:
    """Every record on `topic_name`, once at least `expected` are there."""

    def enough() -> list | None:
        records = snapshot(kafka, topic_name)
        return records if len(records) >= expected else None

    return eventually(enough, timeout=timeout, what=f"{expected} records on {topic_name}")


def snapshot(kafka: KafkaAccess, topic_name: str) -> list:
    """The records on a topic right now, read from the beginning outside any group."""
    consumer = KafkaConsumer(**kafka.config(), enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic_name, p) for p in consumer.partitions_for_topic(topic_name) or []]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        records: list = []
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


@pytest.fixture
def nodes(kafka, prefix, tmp_path):
    made = []

    def make(region: Region, **kwargs):
        node = make_node(region, kafka, prefix, tmp_path, **kwargs)
        made.append(node)
        return node

    yield make
    for node in made:
        node.close()


def test_round_trip_between_two_regions_with_cloudevents_headers(nodes, kafka, prefix):
    jiashan = nodes(Region.JIASHAN).start(consume=False)
    qingpu = nodes(Region.QINGPU, group=f"{prefix}rt").start()
    with jiashan.store.transaction() as conn:
        sent = jiashan.uow(conn).emit(ev.WITHDRAWN, "rt-1", withdrawn("rt-1"))

    seen = eventually(lambda: [s for s in qingpu.seen() if s["event_id"] == sent.id], what="qingpu to see the event")
    assert seen[0] == {
        "event_id": sent.id,
        "type": "cn.yrd.filing.withdrawn.v1",
        "subject": "rt-1",
        "region": "jiashan",
        "correlation_id": "corr-1",
        "causation_id": None,
    }
    raw = [r for r in read_all(kafka, topic(Region.JIASHAN, "filing", prefix), 1) if r.key == b"rt-1"]
    headers = dict(raw[0].headers)
    assert headers["ce_id"] == sent.id.encode()
    assert headers["ce_source"] == b"/yrd/jiashan/filing"
    assert headers["ce_type"] == b"cn.yrd.filing.withdrawn.v1"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_region"] == b"jiashan"
    assert orjson.loads(raw[0].value)["filing_id"] == "rt-1"


def test_each_poison_kind_is_dead_lettered_and_does_not_block(nodes, kafka, prefix):
    source_topic = topic(Region.WUJIANG, "filing", prefix)
    good = nodes(Region.WUJIANG)  # only to encode a valid record the normal way
    with good.store.transaction() as conn:
        valid = good.uow(conn).emit(ev.WITHDRAWN, "p-ok", withdrawn("p-ok"))
    row = (
        good.store.connect()
        .execute("SELECT key, value, headers FROM outbox WHERE event_id = ?", (valid.id,))
        .fetchone()
    )
    headers = [(n, v.encode()) for n, v in orjson.loads(row["headers"])]

    def swap(name, value):
        return [(n, value if n == name else v) for n, v in headers]

    poisons = {
        "bad-json": (b"{broken", headers),
        "unknown-type": (row["value"], swap("ce_type", b"cn.yrd.filing.teleported.v1")),
        "unknown-version": (row["value"], swap("ce_type", b"cn.yrd.filing.withdrawn.v7")),
        "schema-invalid": (b'{"filing_id": 5}', headers),
        "bad-envelope": (row["value"], [h for h in headers if h[0] != "ce_source"]),
    }
    producer = make_producer(kafka)  # idempotent: a send retried under load is not a second poison
    for value, record_headers in poisons.values():  # all on one key: one partition, ahead of the good record
        producer.send(source_topic, key=b"p-ok", value=value, headers=record_headers)
    producer.send(source_topic, key=b"p-ok", value=row["value"], headers=headers)
    producer.flush()
    producer.close()

    qingpu = nodes(Region.QINGPU, group=f"{prefix}dlq").start()
    eventually(lambda: any(s["event_id"] == valid.id for s in qingpu.seen()), what="the good record after the poison")
    dead = [
        r
        for r in read_all(kafka, dlq(topic(Region.QINGPU, "filing", prefix)), len(poisons))
        if dict(r.headers)["dlq_consumer"] == f"{prefix}dlq".encode()
    ]
    reasons = sorted(dict(r.headers)["dlq_reason"].decode() for r in dead)
    assert reasons == sorted(poisons)
    shown = [
        d for d in read_dead_letters(kafka, dlq(topic(Region.QINGPU, "filing", prefix))) if d.consumer == f"{prefix}dlq"
    ]
    assert sorted(d.reason for d in shown) == sorted(poisons)
    assert all(d.source.startswith(source_topic + "/") for d in shown)
    still = replay(
        kafka,
        dlq(topic(Region.QINGPU, "filing", prefix)),
        lambda event: None,
        only_offsets={d.offset for d in shown},
    )
    assert still.applied == 0 and sorted(reason for _, reason in still.still_poison) == sorted(poisons)
    sample = dict(dead[0].headers)
    assert sample["dlq_topic"] == source_topic.encode()
    assert sample["dlq_consumer"] == f"{prefix}dlq".encode()
    assert int(sample["dlq_offset"]) >= 0


def test_a_handler_that_keeps_failing_is_dead_lettered_after_retries(nodes, kafka, prefix):
    def always_fails(conn, event):
        raise RuntimeError("downstream broken")

    jiashan = nodes(Region.JIASHAN).start(consume=False)
    wujiang = nodes(Region.WUJIANG, group=f"{prefix}fail", handler=always_fails).start()
    with jiashan.store.transaction() as conn:
        jiashan.uow(conn).emit(ev.WITHDRAWN, "hf-1", withdrawn("hf-1"))
    dead = eventually(
        lambda: [r for r in snapshot(kafka, dlq(topic(Region.WUJIANG, "filing", prefix))) if r.key == b"hf-1"],
        what="the failing record in the DLQ",
    )
    headers = dict(dead[0].headers)
    assert (headers["dlq_reason"], headers["dlq_detail"]) == (b"handler-failed", b"RuntimeError")
    assert wujiang.seen() == []

    # The cause is fixed: replaying the dead letter through a working handler applies it, once.
    fixed = ConsumerRunner(wujiang.consumer.config, wujiang.store, record_seen, lambda: make_producer(kafka))
    dead_letters = dlq(topic(Region.WUJIANG, "filing", prefix))
    for _ in range(2):
        report = replay(kafka, dead_letters, fixed.apply, only_offsets={dead[0].offset})
        assert (report.applied, report.still_poison) == (1, [])
    assert [s["subject"] for s in wujiang.seen()] == ["hf-1"]


def test_redelivery_and_offset_reset_change_nothing(nodes, kafka, prefix, tmp_path):
    jiashan = nodes(Region.JIASHAN).start(consume=False)
    group = f"{prefix}replay"
    first = nodes(Region.QINGPU, group=group).start()
    with jiashan.store.transaction() as conn:
        ids = [jiashan.uow(conn).emit(ev.WITHDRAWN, f"re-{i}", withdrawn(f"re-{i}")).id for i in range(5)]
    eventually(lambda: {s["event_id"] for s in first.seen()} >= set(ids), what="first delivery")
    first.close()

    # Reset the group to the beginning: everything is delivered again to the same store.
    reset = KafkaConsumer(**kafka.config(), group_id=group, enable_auto_commit=False)
    source = topic(Region.JIASHAN, "filing", prefix)
    partitions = [TopicPartition(source, p) for p in reset.partitions_for_topic(source)]
    reset.assign(partitions)
    reset.commit({tp: OffsetAndMetadata(0, "", -1) for tp in partitions})
    reset.close()

    again = make_node_sharing_store(first, kafka, prefix, group)
    again.start()
    try:
        before = first.seen()
        eventually(lambda: again.consumer.assigned.is_set(), what="reassignment")
        eventually(lambda: _committed_at_end(kafka, group, source), what="the replay to be consumed")
        assert again.seen() == before
        assert sorted(s["event_id"] for s in before if s["event_id"] in ids) == sorted(ids)
    finally:
        again.close()


def make_node_sharing_store(node, kafka, prefix, group):
    config = ConsumerConfig(
        kafka=kafka,
        group_id=group,
        region=node.region.value,
        service="test",
        domain=node.consumer.config.domain,
        topic_prefix=prefix,
    )
    runner = ConsumerRunner(config, node.store, record_seen, lambda: make_producer(kafka))
    return Node(node.region, node.store, node.relay, runner, prefix)


def _committed_at_end(kafka: KafkaAccess, group: str, source: str) -> bool:
    probe = KafkaConsumer(**kafka.config(), group_id=group, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(source, p) for p in probe.partitions_for_topic(source)]
        ends = probe.end_offsets(partitions)
        return all((probe.committed(tp) or 0) >= ends[tp] for tp in partitions)
    finally:
        probe.close()
