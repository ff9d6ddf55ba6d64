"""The only place topic names are spelled.

Each region writes only its own topics, `{region}.{domain}`, and reads every region's. Every topic has a
dead-letter twin `{topic}.dlq`. A prefix (settings.topic_prefix) lets tests and demos run isolated
namespaces on one broker; production leaves it empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.regions import Domain, Region

DLQ_SUFFIX = ".dlq"
COMMANDS_SUFFIX = ".commands"
RESULTS_SUFFIX = ".results"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    configs: dict[str, str]


# Explicit per-topic settings (never broker defaults). Business topics keep events for a year so a new
# instance can rebuild its read model; dead letters stay a month for operators to inspect and replay.
_PARTITIONS = 3
# Business and audit topics keep every event for good: they are the zone's record of what happened and
# what a lost store is rebuilt from (`yrd rebuild`). Not compacted: a record's whole history matters,
# and compaction would keep only each record's last event.
_BUSINESS_CONFIGS = {"retention.ms": "-1", "retention.bytes": "-1", "min.insync.replicas": "1"}
_DLQ_CONFIGS = {"retention.ms": str(30 * 24 * 3600 * 1000)}
# Commands and their results are a conversation with an agency system, not the zone's record (the events
# they cause are): a week, for a system that was away to catch up.
_COMMAND_CONFIGS = {"retention.ms": str(7 * 24 * 3600 * 1000)}


def topic(region: Region | str, domain: Domain | str, prefix: str = "") -> str:
    return f"{prefix}{Region(region).value}.{Domain(domain).value}"


def dlq(topic_name: str) -> str:
    return topic_name + DLQ_SUFFIX


def commands(region: Region | str, domain: Domain | str, prefix: str = "") -> str:
    return topic(region, domain, prefix) + COMMANDS_SUFFIX


def results(region: Region | str, domain: Domain | str, prefix: str = "") -> str:
    return topic(region, domain, prefix) + RESULTS_SUFFIX


def all_regions_topics(domain: Domain, prefix: str = "") -> list[str]:
    return [topic(r, domain, prefix) for r in Region]


def parse(topic_name: str, prefix: str = "") -> tuple[Region, Domain]:
    """Inverse of topic(): which region owns a topic, and which domain it carries."""
    bare = topic_name.removeprefix(prefix).removesuffix(DLQ_SUFFIX)
    bare = bare.removesuffix(COMMANDS_SUFFIX).removesuffix(RESULTS_SUFFIX)
    region, _, domain = bare.partition(".")
    return Region(region), Domain(domain)


def catalogue(prefix: str = "") -> list[TopicSpec]:
    """Every topic the system uses, with its partition count and configs."""
    specs = []
    for domain in Domain:
        for region in Region:
            name = topic(region, domain, prefix)
            specs.append(TopicSpec(name, _PARTITIONS, dict(_BUSINESS_CONFIGS)))
            specs.append(TopicSpec(dlq(name), 1, dict(_DLQ_CONFIGS)))
            if domain.is_service:
                specs.append(TopicSpec(commands(region, domain, prefix), _PARTITIONS, dict(_COMMAND_CONFIGS)))
                specs.append(TopicSpec(dlq(commands(region, domain, prefix)), 1, dict(_DLQ_CONFIGS)))
                specs.append(TopicSpec(results(region, domain, prefix), _PARTITIONS, dict(_COMMAND_CONFIGS)))
    return specs
