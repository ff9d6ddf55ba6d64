"""Who may do what on the broker: the event plane's principals and their ACLs, derived from the one topic
catalogue (pure; shared/adapters/kafka/access.py applies them).

The broker denies everything not granted here (`allow.everyone.if.no.acl.found=false`):
- each region's instance of a service (`{region}-{service}`) writes only its region's topics of that
  service (events, dead letters, command results) and its region's audit trail, and reads that service's
  events of every region, its region's commands and dead letters, and its own audit trail;
- each catalogued agency (shared/contracts/agencies.py) is its own principal, named as its OAuth client
  (`jiashan-court-system`): it writes its region's command topics, reads their results, and keeps its
  offsets in consumer groups of its own prefix (`agency.{id}.`), so it resumes where it left off after a
  restart and no other agency can read or move its offsets;
- a region's shared agency principal (`{region}-agency`) remains for systems not catalogued yet: the same
  topics, no consumer group (manual assignment only);
- a region's MirrorMaker (`{region}-mirror`, the three-cluster zone) reads the other regions' topics where
  they are written and writes their copies, and its own state, in its home cluster, nothing else;
- the admin principal provisions (a super user); the controller's principal is the broker's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.contracts import topics
from shared.contracts.agencies import AGENCIES, Agency
from shared.contracts.regions import SERVICES, Domain, Region, others

ADMIN = "admin"
CONTROLLER = "controller"  # the KRaft controller listener's own (SASL/PLAIN, never a client's)


def service_principal(region: Region, service: Domain) -> str:
    return f"{region.value}-{service.value}"


def agency_principal(region: Region) -> str:
    return f"{region.value}-agency"


def agency_system_principal(agency: Agency) -> str:
    """A catalogued agency's own broker principal: its id, as its OAuth client and token claim name it."""
    return agency.id


def agency_group_prefix(agency: Agency, prefix: str = "") -> str:
    """The consumer groups an agency may use start with this (`agency.jiashan-court-system.`)."""
    return f"{prefix}agency.{agency.id}."


def mirror_principal(region: Region) -> str:
    return f"{region.value}-mirror"


def scram_principals() -> list[str]:
    """Everyone who authenticates to the brokers with SCRAM (created when storage is formatted)."""
    names = [ADMIN]
    for region in Region:
        names += [service_principal(region, s) for s in SERVICES]
        names += [agency_principal(region), mirror_principal(region)]
    return names + [agency_system_principal(a) for a in AGENCIES.values()]


class Resource(StrEnum):
    TOPIC = "topic"
    GROUP = "group"
    CLUSTER = "cluster"
    TRANSACTIONAL_ID = "transactional_id"


class Operation(StrEnum):
    READ = "read"
    WRITE = "write"
    CREATE = "create"
    DESCRIBE = "describe"
    DESCRIBE_CONFIGS = "describe_configs"
    ALTER = "alter"
    ALTER_CONFIGS = "alter_configs"


@dataclass(frozen=True)
class Grant:
    principal: str
    resource: Resource
    name: str
    operation: Operation
    prefixed: bool = False  # the name is a prefix (PREFIXED pattern) rather than the exact name


def _topics(principal: str, names: list[str], operation: Operation) -> list[Grant]:
    return [Grant(principal, Resource.TOPIC, n, op) for n in names for op in (operation, Operation.DESCRIBE)]


def service_grants(region: Region, service: Domain, prefix: str = "") -> list[Grant]:
    who = service_principal(region, service)
    own = topics.topic(region, service, prefix)
    commands = topics.commands(region, service, prefix)
    audit = topics.topic(region, Domain.AUDIT, prefix)
    writes = [own, topics.dlq(own), topics.results(region, service, prefix), topics.dlq(commands), audit]
    reads = [*topics.all_regions_topics(service, prefix), commands, topics.dlq(own), topics.dlq(commands), audit]
    group = f"{prefix}yrd.{service.value}.{region.value}"  # settings.group_id and its `.commands` twin
    grants = [
        *_topics(who, writes, Operation.WRITE),
        *_topics(who, reads, Operation.READ),
        Grant(who, Resource.GROUP, group, Operation.READ, prefixed=True),
        Grant(who, Resource.GROUP, group, Operation.DESCRIBE, prefixed=True),
    ]
    return list(dict.fromkeys(grants))  # a topic both written and read is described once


def agency_grants(region: Region, prefix: str = "") -> list[Grant]:
    who = agency_principal(region)
    grants: list[Grant] = []
    for service in SERVICES:
        grants += _topics(who, [topics.commands(region, service, prefix)], Operation.WRITE)
        grants += _topics(who, [topics.results(region, service, prefix)], Operation.READ)
    return grants


def agency_system_grants(agency: Agency, prefix: str = "") -> list[Grant]:
    """A catalogued agency's: its region's commands and results, and consumer groups of its own prefix."""
    who = agency_system_principal(agency)
    groups = agency_group_prefix(agency, prefix)
    grants = [Grant(who, Resource.GROUP, groups, op, prefixed=True) for op in (Operation.READ, Operation.DESCRIBE)]
    for service in SERVICES:
        grants += _topics(who, [topics.commands(agency.region, service, prefix)], Operation.WRITE)
        grants += _topics(who, [topics.results(agency.region, service, prefix)], Operation.READ)
    return grants


def namespace_grants(prefix: str = "") -> list[Grant]:
    """Every service's and agency's grants on one namespace of topics (production: no prefix)."""
    grants = [g for r in Region for s in SERVICES for g in service_grants(r, s, prefix)]
    grants += [g for a in AGENCIES.values() for g in agency_system_grants(a, prefix)]
    return grants + [g for r in Region for g in agency_grants(r, prefix)]


MIRROR_STATE_PREFIX = "mm2-"  # MirrorMaker's own topics at home: configs, offsets, status, offset syncs


def mirror_grants(home: Region, cluster: Region) -> list[Grant]:
    """What `home`'s MirrorMaker needs on `cluster`: at home, write the other regions' copies and keep its
    state; elsewhere, read that region's topics."""
    who = mirror_principal(home)
    describe_cluster = Grant(who, Resource.CLUSTER, "kafka-cluster", Operation.DESCRIBE)
    if cluster is not home:
        source = f"{cluster.value}."
        ops = (Operation.READ, Operation.DESCRIBE, Operation.DESCRIBE_CONFIGS)
        return [describe_cluster] + [Grant(who, Resource.TOPIC, source, op, prefixed=True) for op in ops]
    grants = [describe_cluster]  # Connect asks each cluster its id
    copies = (Operation.CREATE, Operation.WRITE, Operation.DESCRIBE, Operation.DESCRIBE_CONFIGS, Operation.ALTER)
    for source in others(home):
        grants += [Grant(who, Resource.TOPIC, f"{source.value}.", op, prefixed=True) for op in copies]
        # The Connect worker of each flow (group `{source}-mm2`) and its transactions (exactly-once source):
        # the leader's `connect-cluster-{group}`, each task's `{group}-{connector}-{task}`.
        group = f"{source.value}-mm2"
        grants += [Grant(who, Resource.GROUP, group, op, prefixed=True) for op in (Operation.READ, Operation.DESCRIBE)]
        for transactional in (group, f"connect-cluster-{group}"):
            grants += [
                Grant(who, Resource.TRANSACTIONAL_ID, transactional, op, prefixed=True)
                for op in (Operation.WRITE, Operation.DESCRIBE)
            ]
    state_ops = (*copies, Operation.READ, Operation.ALTER_CONFIGS)
    return grants + [Grant(who, Resource.TOPIC, MIRROR_STATE_PREFIX, op, prefixed=True) for op in state_ops]
