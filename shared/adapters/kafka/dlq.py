"""Reading a dead-letter topic for operators: why each record was set aside and where it came from.
Values are not shown (they may hold personal data); replay by offset from the source topic."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.signing import Reader, plain_reader
from shared.contracts.envelope import Event, PoisonMessage


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    reason: str
    detail: str
    source: str  # topic/partition@offset of the original record
    consumer: str
    at: str
    event_type: str | None


def _records(kafka: KafkaAccess, topic_name: str, limit: int | None = None) -> list[Any]:
    """The records of a topic (the newest `limit` per partition, if given)."""
    consumer = KafkaConsumer(**kafka.config(), enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic_name, p) for p in consumer.partitions_for_topic(topic_name) or []]
        if not partitions:
            return []
        consumer.assign(partitions)
        ends = consumer.end_offsets(partitions)
        for partition in partitions:
            consumer.seek(partition, max(ends[partition] - limit, 0) if limit else 0)
        records: list[Any] = []
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


def read_dead_letters(kafka: KafkaAccess, topic_name: str, limit: int = 100) -> list[DeadLetter]:
    """The newest `limit` dead letters of a topic, oldest first."""
    letters = [_letter(record) for record in _records(kafka, topic_name, limit)]
    return sorted(letters, key=lambda d: d.at)[-limit:]


@dataclass(frozen=True)
class ReplayReport:
    applied: int  # handled now, or already handled before (redelivery changes nothing)
    still_poison: list[tuple[int, str]]  # (dead-letter offset, reason) of records that still cannot be processed


def replay(
    kafka: KafkaAccess,
    topic_name: str,
    apply: Callable[[Event], None],
    only_offsets: set[int] | None = None,
    read: Reader = plain_reader,
) -> ReplayReport:
    """Run dead letters through the service's handler again, once their cause is fixed. Idempotent: an event
    already processed is skipped by its id, so replaying twice changes nothing."""
    applied, still_poison = 0, []
    for record in _records(kafka, topic_name):
        if only_offsets is not None and record.offset not in only_offsets:
            continue
        headers = [(n, v) for n, v in record.headers or [] if not n.startswith("dlq_")]
        try:
            origin = dict(record.headers or []).get("dlq_topic", b"").decode(errors="replace")
            apply(read(origin, record.key, record.value, headers))  # the signature is checked again
            applied += 1
        except PoisonMessage as poison:
            still_poison.append((record.offset, poison.reason))
        except Exception as error:  # the handler still fails: report it, leave the dead letter where it is
            still_poison.append((record.offset, f"handler-failed: {type(error).__name__}"))
    return ReplayReport(applied, still_poison)


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
