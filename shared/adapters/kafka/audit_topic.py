"""Reading back what an instance published to `{region}.audit`: the anchor that `yrd audit verify`
compares the local chain with, and what `yrd rebuild` restores the chain from."""

from __future__ import annotations

from collections.abc import Iterable

from kafka.consumer.fetcher import ConsumerRecord

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.replay import read_to_end
from shared.contracts.audit import AUDIT_RECORDED, AUDIT_SEGMENT, AuditEntry
from shared.contracts.envelope import PoisonMessage, decode


def published_hashes(kafka: KafkaAccess, topic_name: str, source: str) -> dict[int, str]:
    """index -> hash of every audit entry `source` (e.g. /yrd/qingpu/filing) published on the topic."""
    return {entry.index: entry.hash for entry in published_entries(kafka, topic_name, source)}


def published_entries(kafka: KafkaAccess, topic_name: str, source: str) -> list[AuditEntry]:
    """Every audit entry `source` published on the topic, in chain order (what a rebuild restores)."""
    return entries_in((record for batch in read_to_end(kafka, [topic_name]) for record in batch), source)


def entries_in(records: Iterable[ConsumerRecord], source: str) -> list[AuditEntry]:
    """The audit entries `source` published in these records, in chain order: segments (what an instance
    publishes) and single entries (what earlier versions published) alike; a record sent twice counts once."""
    entries: dict[int, AuditEntry] = {}
    for record in records:
        try:
            event = decode(record.key, record.value, record.headers)
        except PoisonMessage:
            continue  # not an audit entry of ours; the chain check stands on the rest
        if event.source != source:
            continue
        if event.type is AUDIT_SEGMENT:
            entries |= {entry.index: entry for entry in event.data.entries}
        elif event.type is AUDIT_RECORDED:
            entries[event.data.index] = event.data
    return [entries[i] for i in sorted(entries)]
