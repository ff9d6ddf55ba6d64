"""Reading a dead-letter topic for operators: why each record was set aside and where it came from.
Values are not shown (they may hold personal data); replay by offset from the source topic."""

from __future__ import annotations

from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    reason: str
    detail: str
    source: str  # topic/partition@offset of the original record
    consumer: str
    at: str
    event_type: str | None


def read_dead_letters(bootstrap: str, topic_name: str, limit: int = 100) -> list[DeadLetter]:
    """The newest `limit` dead letters of a topic, oldest first."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic_name, p) for p in consumer.partitions_for_topic(topic_name) or []]
        if not partitions:
            return []
        consumer.assign(partitions)
        ends = consumer.end_offsets(partitions)
        for partition in partitions:
            consumer.seek(partition, max(ends[partition] - limit, 0))
        letters: list[DeadLetter] = []
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=500).values():
                letters.extend(_letter(record) for record in batch)
        return sorted(letters, key=lambda d: d.at)[-limit:]
    finally:
        consumer.close()


def _letter(record) -> DeadLetter:
    h = {name: value.decode(errors="replace") for name, value in record.headers or []}
    source = f"{h.get('dlq_topic', '?')}/{h.get('dlq_partition', '?')}@{h.get('dlq_offset', '?')}"
    return DeadLetter(
        offset=record.offset,
        reason=h.get("dlq_reason", "?"),
        detail=h.get("dlq_detail", ""),
        source=source,
        consumer=h.get("dlq_consumer", "?"),
        at=h.get("dlq_time", ""),
        event_type=h.get("ce_type"),
    )
