"""Reading back what an instance published to `{region}.audit`: the anchor that `yrd audit verify`
compares the local chain with."""

from __future__ import annotations

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.replay import read_to_end
from shared.contracts.audit import AUDIT_RECORDED, AuditEntry
from shared.contracts.envelope import PoisonMessage, decode


def published_hashes(kafka: KafkaAccess, topic_name: str, source: str) -> dict[int, str]:
    """index -> hash of every audit entry `source` (e.g. /yrd/qingpu/filing) published on the topic."""
    return {entry.index: entry.hash for entry in published_entries(kafka, topic_name, source)}


def published_entries(kafka: KafkaAccess, topic_name: str, source: str) -> list[AuditEntry]:
    """Every audit entry `source` published on the topic, in chain order (what a rebuild restores)."""
    entries: dict[int, AuditEntry] = {}
    for batch in read_to_end(kafka, [topic_name]):
        for record in batch:
            try:
                event = decode(record.key, record.value, record.headers)
            except PoisonMessage:
                continue  # not an audit entry of ours; the chain check stands on the rest
            if event.type is AUDIT_RECORDED and event.source == source:
                entries[event.data.index] = event.data
    return [entries[i] for i in sorted(entries)]
