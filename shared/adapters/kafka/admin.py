"""Topic provisioning with explicit partitions and configs (the broker never auto-creates)."""

from __future__ import annotations

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from shared.contracts.topics import TopicSpec, catalogue


def ensure_topics(bootstrap: str, specs: list[TopicSpec] | None = None, prefix: str = "") -> list[str]:
    """Create whatever is missing and bring existing topics' configs (retention) to the catalogue's;
    answer the names created. Safe to call again."""
    specs = specs if specs is not None else catalogue(prefix)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    try:
        existing = set(admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        created = []
        for spec in missing:
            try:
                admin.create_topics(
                    [NewTopic(spec.name, spec.partitions, 1, topic_configs=spec.configs)], timeout_ms=15000
                )
                created.append(spec.name)
            except TopicAlreadyExistsError:
                pass  # another instance provisioned it meanwhile
        present = [s for s in specs if s.name in existing]
        if present:
            admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, s.name, configs=s.configs) for s in present])
        return created
    finally:
        admin.close()


def list_topics(bootstrap: str) -> list[str]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    try:
        return sorted(admin.list_topics())
    finally:
        admin.close()
