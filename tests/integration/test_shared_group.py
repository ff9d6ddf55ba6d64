"""Shared consumers (several processes of one instance, assigned_consumer(..., shared_by=...)) in one group on
the real broker: a member that closes leaves the group, so the rest take its partitions without waiting for
its session to end; and a rejoin that finishes after the poll that started it gave up is still applied, so
the member keeps its place and its heartbeats."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewPartitions, NewTopic

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.assignment import Offsets, assigned_consumer
from tests.helpers import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def admin(kafka: KafkaAccess) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(**kafka.config())
    yield client
    client.close()


@pytest.fixture
def topic(admin: KafkaAdminClient) -> Iterator[str]:
    name = f"shared-group-{uuid.uuid4().hex[:8]}"
    admin.create_topics([NewTopic(name, 2, 1)], timeout_ms=10000)
    yield name
    admin.delete_topics([name], timeout_ms=10000)


def shared(kafka: KafkaAccess, group: str, topic: str) -> KafkaConsumer:
    return assigned_consumer(kafka, group, [topic], 5000, 100, shared_by=Offsets(1.0).take)


def members(admin: KafkaAdminClient, group: str) -> tuple[str, int]:
    described = admin.describe_groups([group])[group]
    return described["group_state"], len(described["members"])


def assigned_by_the_broker(admin: KafkaAdminClient, group: str) -> set[TopicPartition]:
    """The partitions the group's last SyncGroup gave its members, as the broker keeps them."""
    described = admin.describe_groups([group])[group]
    return {
        TopicPartition(owned["topic"], partition)
        for member in described["members"]
        for owned in (member.get("member_assignment") or {}).get("assigned_partitions", [])
        for partition in owned["partitions"]
    }


class Polling:
    """A consumer polled on a thread of its own, as the consumer runners do."""

    def __init__(self, consumer: KafkaConsumer) -> None:
        self.consumer, self.stop = consumer, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            self.consumer.poll(timeout_ms=200)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)
        self.consumer.close(autocommit=False)


def test_a_closed_member_leaves_and_the_other_takes_every_partition(kafka, admin, topic):
    group = f"shared-{uuid.uuid4().hex[:8]}"
    first, second = Polling(shared(kafka, group, topic)), Polling(shared(kafka, group, topic))
    try:
        eventually(lambda: members(admin, group) == ("Stable", 2), timeout=30, what="both members in the group")
        first.close()
        assert members(admin, group)[1] == 1  # gone at once: its close said so, nobody waits for its session
        everything = {TopicPartition(topic, 0), TopicPartition(topic, 1)}
        eventually(lambda: second.consumer.assignment() == everything, timeout=30, what="the rest reassigned")
    finally:
        first.close()
        second.close()


def test_a_rejoin_finished_after_its_poll_gave_up_is_applied(kafka, admin, topic):
    group = f"shared-{uuid.uuid4().hex[:8]}"
    consumer = shared(kafka, group, topic)
    try:
        eventually(lambda: consumer.poll(timeout_ms=200) is not None and len(consumer.assignment()) == 2, timeout=30)
        # The topic grows: the group's leader (this member) must rejoin to assign the new partition. That
        # rejoin starts in a poll that gives up at once, and finishes (JoinGroup, SyncGroup) after it.
        admin.create_partitions({topic: NewPartitions(total_count=3)})
        eventually(lambda: consumer.topics() and len(consumer.partitions_for_topic(topic)) == 3, timeout=10)
        consumer.poll(timeout_ms=0)
        grown = {TopicPartition(topic, p) for p in range(3)}
        # The broker has it done (the leader's SyncGroup assigned the new partition) before the next poll.
        eventually(lambda: assigned_by_the_broker(admin, group) == grown, timeout=30, what="the rejoin done")
        eventually(
            lambda: consumer.poll(timeout_ms=200) is not None and consumer.assignment() == grown,
            timeout=30,
            what="the finished rejoin's assignment applied",
        )
        assert members(admin, group) == ("Stable", 1)
    finally:
        consumer.close(autocommit=False)
