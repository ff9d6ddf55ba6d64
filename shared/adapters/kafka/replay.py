"""Reading topics from their beginning to where they end now, without a consumer group: for checking
the audit chain against its published copy and for rebuilding a lost store."""

from __future__ import annotations

from collections.abc import Iterator

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from shared.adapters.kafka.access import KafkaAccess


def read_to_end(kafka: KafkaAccess, topics: list[str]) -> Iterator[list[ConsumerRecord]]:
    """Every record of `topics` up to their end offsets at the start, in batches (order kept within a
    partition, not across)."""
    consumer = KafkaConsumer(
        **kafka.config(),
        enable_auto_commit=False,
        isolation_level="read_committed",  # only what consumers applied: no aborted MirrorMaker copies
        bootstrap_timeout_ms=10000,
    )
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or [])]
        if not partitions:
            return
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for partition, batch in consumer.poll(timeout_ms=500, max_records=1000).items():
                yield [r for r in batch if r.offset < ends[partition]]
    finally:
        consumer.close()
