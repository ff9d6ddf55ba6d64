"""Provisioning, as the admin principal: topics with explicit partitions and configs (the broker never
auto-creates), and on a broker that authenticates, every principal's ACLs for the same namespace."""

from __future__ import annotations

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from shared.adapters.kafka.access import KafkaAccess, apply_grants
from shared.contracts.topics import TopicSpec, catalogue
from shared.rules.broker_access import Grant, namespace_grants


def provision(
    kafka: KafkaAccess, specs: list[TopicSpec] | None = None, prefix: str = "", grants: list[Grant] | None = None
) -> list[str]:
    """Create whatever topics are missing and bring existing ones' configs (retention) to the catalogue's;
    on a SASL broker, grant the namespace's principals their ACLs (and `grants`). Answer the topics
    created. Safe to call again."""
    specs = specs if specs is not None else catalogue(prefix)
    admin = KafkaAdminClient(**kafka.config(), request_timeout_ms=15000)
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
        if kafka.username is not None:
            apply_grants(admin, namespace_grants(prefix) + (grants or []))
        return created
    finally:
        admin.close()


def list_topics(kafka: KafkaAccess) -> list[str]:
    admin = KafkaAdminClient(**kafka.config(), request_timeout_ms=15000)
    try:
        return sorted(admin.list_topics())
    finally:
        admin.close()
