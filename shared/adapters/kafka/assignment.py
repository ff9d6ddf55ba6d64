"""The consumer client every reader of this project uses: all partitions of its topics assigned to one
instance's group (no membership, no rebalances) or, when several processes serve the instance, the group's
partitions shared among them (a subscription), the bookkeeping of the offsets it commits, and how far
behind it is."""

from __future__ import annotations

import time
from collections.abc import Callable

from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition
from kafka.coordinator.consumer import ConsumerCoordinator
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from shared.adapters.kafka.access import KafkaAccess


class Offsets:
    """The next offset of each partition's last applied record, committed at most once per `interval`
    while records keep arriving, and at once when a poll comes back empty (the stream paused) or the
    consumer stops. A commit is a broker round trip and a write to its offsets topic; committing after
    every poll cost the zone more than the records did. An applied record whose offset is not committed
    yet only comes back after a crash, and is skipped by its id."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.pending: dict[TopicPartition, OffsetAndMetadata] = {}
        self._committed_at = time.monotonic()

    def applied(self, partition: TopicPartition, next_offset: int) -> None:
        self.pending[partition] = OffsetAndMetadata(next_offset, "", -1)

    def due(self, quiet: bool) -> bool:
        return bool(self.pending) and (quiet or time.monotonic() - self._committed_at >= self.interval)

    def take(self) -> dict[TopicPartition, OffsetAndMetadata]:
        taken, self.pending, self._committed_at = self.pending, {}, time.monotonic()
        return taken


SHARED_REJOIN_MS = 30_000
# A member that dies without leaving (kill -9, a crash) is dropped when its session expires. A rebalance
# waits for every member it knows, so until then (or until SHARED_REJOIN_MS) nobody in the instance reads:
# kafka-python 3's default session (45 s, longer than the rebalance timeout) made every restart after a
# kill -9 wait the whole 30 s. Heartbeats go from the client's IO thread, not the poll loop, so a busy poll
# does not end a session; a live member learns of a rebalance from its next heartbeat, and its poll wakes
# for it (the poll's wait is capped by the next heartbeat), so a short interval makes it rejoin promptly.
SHARED_SESSION_MS = 10_000
SHARED_HEARTBEAT_MS = 1_000


class _CommitOnRevoke(ConsumerRebalanceListener):
    """Before a rebalance takes partitions away, the offsets of what was applied are committed. The listener
    runs on the client's IO loop (a blocking commit there would wait for itself), so the commit is sent
    without waiting: it goes out before the rejoin, on the coordinator's connection, so the broker has it
    before the partitions' next owner asks. One that fails only means those records come again, skipped
    by their ids."""

    def __init__(self, consumer: KafkaConsumer, applied: Callable[[], dict[TopicPartition, OffsetAndMetadata]]):
        self.consumer, self.applied = consumer, applied

    def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        if offsets := self.applied():
            self.consumer.commit_async(offsets)

    def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        pass


def _joins_driven_to_the_end() -> None:
    """Works around kafka-python 3.0.12 (the newest): a rejoin that outlives the poll that started it was
    never applied when the rejoin was the group leader's own, for a change of topic metadata (the first join
    after a start, made before the topics' partitions were known, is one).

    A poll waits for a rejoin at most its own timeout and leaves the JoinGroup/SyncGroup task running
    (kafka/coordinator/base.py, BaseCoordinator.join_group_async). The next poll drives it on only if
    `need_rejoin()` (kafka/coordinator/consumer.py, ConsumerCoordinator.poll); for the leader's metadata
    rejoin that is false as soon as the task has made the assignment (ConsumerCoordinator._perform_assignment
    records the metadata it used), and the flag the other rejoins set is not set for it. The finished task was
    then never applied: the member stayed "rebalancing" with its heartbeats off, the broker dropped it when
    its session ended (the rest of the group waiting for it until then), it never rejoined, and its poll loop
    spun (its next heartbeat was always "due", so a poll never waited).

    Here a join task not yet applied still needs a rejoin, so the next poll drives it; kafka-python then
    awaits it or, finished, sends a fresh JoinGroup (its own retry path). Applied to the class, once, when
    the first shared consumer is made (an instance whose consumer reads alone never joins a group)."""
    original = ConsumerCoordinator.need_rejoin
    if getattr(original, "drives_unfinished_joins", False):
        return

    def need_rejoin(self: ConsumerCoordinator) -> bool:
        return self._join_task is not None or original(self)

    need_rejoin.drives_unfinished_joins = True
    ConsumerCoordinator.need_rejoin = need_rejoin


_SHARED = {
    # How long a rebalance waits for a live member to rejoin (its next poll) before going on without it (it
    # rejoins later), instead of five minutes; a poll's records are applied well within it.
    "max_poll_interval_ms": SHARED_REJOIN_MS,
    "session_timeout_ms": SHARED_SESSION_MS,
    "heartbeat_interval_ms": SHARED_HEARTBEAT_MS,
}


def assigned_consumer(
    kafka: KafkaAccess,
    group_id: str,
    topics: list[str],
    connect_timeout_ms: int,
    max_poll_records: int,
    shared_by: Callable[[], dict[TopicPartition, OffsetAndMetadata]] | None = None,
) -> KafkaConsumer:
    """A consumer of every partition of `topics`, committing to `group_id`, read-committed.

    Each region's instance is the only reader of its group, so it takes every partition itself (assign,
    not subscribe): no group membership, no rebalances, no heartbeats. A restarted instance resumes from
    the group's committed offsets at once, with nobody to wait for, and an idle consumer blocks in the
    fetch instead of polling. LookupError while a topic is not known yet (the caller's retry loop waits).

    `shared_by`: several processes serve the instance, so they join its group (subscribe) and the broker
    spreads the partitions over them; before a rebalance takes partitions away (inside a poll), the
    offsets `shared_by()` takes (what was applied, not committed yet) are committed, so the next owner
    starts after them."""
    consumer = KafkaConsumer(
        **kafka.config(),
        group_id=group_id,  # where offsets are committed
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        # In the three-cluster zone MirrorMaker writes its copies in transactions: an aborted copy
        # (a crash mid-way) is never applied; the committed one follows.
        isolation_level="read_committed",
        max_poll_records=max_poll_records,
        # The broker holds an empty fetch this long and answers the moment a record arrives: long
        # for an idle instance's sake, at no cost in latency.
        fetch_max_wait_ms=5000,
        reconnect_backoff_max_ms=1000,
        bootstrap_timeout_ms=connect_timeout_ms,  # broker away: fail fast into the caller's retry
        **(_SHARED if shared_by is not None else {}),
    )
    if shared_by is not None:
        _joins_driven_to_the_end()
        consumer.subscribe(topics, listener=_CommitOnRevoke(consumer, shared_by))
        return consumer
    partitions = []
    for name in topics:
        found = consumer.partitions_for_topic(name)
        if not found:
            consumer.close(autocommit=False)
            raise LookupError(f"no partitions known yet for {name}")
        partitions += [TopicPartition(name, p) for p in sorted(found)]
    consumer.assign(partitions)
    return consumer


def lag_by_topic(consumer: KafkaConsumer, asking: bool) -> tuple[dict[str, int], bool]:
    """How far behind the consumer is on each topic whose partitions' ends are known, and whether every
    assigned partition's end is.

    A high-water mark is known only from a fetch's answer, and the broker holds a fetch with nothing new
    for up to 5 s: a restarted instance's scanners waited that long to start deciding deadlines. So while
    `asking` (not caught up yet), the ends still unknown are asked of the broker; unanswered, not known yet
    (the next poll asks again).

    Every question is bounded (ASK_MS): a position not known yet is the group's committed offset, and while
    the group rebalances the coordinator does not answer it; an unbounded wait here kept the thread from the
    poll that rejoins the group, and the rebalance waited for it (several processes of an instance)."""
    ends = {partition: consumer.highwater(partition) for partition in consumer.assignment()}
    if None in ends.values() and asking:
        ends |= _ends_asked(consumer, [partition for partition, end in ends.items() if end is None])
    lag: dict[str, int] = {}
    known = bool(ends)
    for partition, end in ends.items():
        position = _position(consumer, partition) if end is not None else None
        if end is None or position is None:
            known = False
            continue
        lag[partition.topic] = lag.get(partition.topic, 0) + max(end - position, 0)
    return lag, known


ASK_MS = 1000


def _position(consumer: KafkaConsumer, partition: TopicPartition) -> int | None:
    try:
        return consumer.position(partition, timeout_ms=ASK_MS)
    except KafkaError:  # not answered in time, or no longer assigned (a rebalance)
        return None


def _ends_asked(consumer: KafkaConsumer, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    try:
        return consumer.end_offsets(partitions, timeout_ms=ASK_MS)
    except KafkaError:
        return {}
