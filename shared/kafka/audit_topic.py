"""Reading back what an instance published to `{region}.audit`: the anchor that `yrd audit verify`
compares the local chain with."""

from __future__ import annotations

from kafka import KafkaConsumer, TopicPartition

from shared.contracts.audit import AUDIT_RECORDED
from shared.envelope import PoisonMessage, decode


def published_hashes(bootstrap: str, topic_name: str, source: str) -> dict[int, str]:
    """index -> hash of every audit entry `source` (e.g. /yrd/qingpu/filing) published on the topic."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic_name, p) for p in consumer.partitions_for_topic(topic_name) or []]
        if not partitions:
            return {}
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        hashes: dict[int, str] = {}
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=500).values():
                for record in batch:
                    try:
                        event = decode(record.key, record.value, record.headers)
                    except PoisonMessage:
                        continue  # not an audit entry of ours; the chain check stands on the rest
                    if event.type is AUDIT_RECORDED and event.source == source:
                        hashes[event.data.index] = event.data.hash
        return hashes
    finally:
        consumer.close()
