"""The broker's grants, derived from the topic catalogue: every principal writes only its own region's
topics, every topic the services use has its writers, and nothing is granted twice or left open."""

from __future__ import annotations

from collections import defaultdict

from shared.contracts import topics
from shared.contracts.agencies import agencies_of
from shared.contracts.regions import Domain, Region
from shared.rules.broker_access import (
    Operation,
    Resource,
    agency_principal,
    agency_system_principal,
    mirror_grants,
    namespace_grants,
    scram_principals,
    service_principal,
)

PREFIX = "t1."


def _region_of(principal: str) -> Region:
    return Region(principal.split("-")[0])


def test_every_write_is_to_the_principals_own_region():
    for grant in namespace_grants(PREFIX):
        if grant.resource is Resource.TOPIC and grant.operation is Operation.WRITE:
            owner, _ = topics.parse(grant.name, PREFIX)
            assert owner is _region_of(grant.principal), grant


def test_each_topic_a_service_or_agency_writes_has_exactly_the_expected_writers():
    writers: dict[str, set[str]] = defaultdict(set)
    for grant in namespace_grants(PREFIX):
        if grant.operation is Operation.WRITE:
            writers[grant.name].add(grant.principal)
    j = Region.JIASHAN
    assert writers[topics.topic(j, Domain.FILING, PREFIX)] == {service_principal(j, Domain.FILING)}
    agencies = {agency_system_principal(a) for a in agencies_of(j)}  # each catalogued agency is itself
    assert writers[topics.commands(j, Domain.FILING, PREFIX)] == {agency_principal(j)} | agencies
    assert writers[topics.results(j, Domain.FILING, PREFIX)] == {service_principal(j, Domain.FILING)}
    services = {service_principal(j, d) for d in Domain if d.is_service}
    assert writers[topics.topic(j, Domain.AUDIT, PREFIX)] == services  # every service's audit trail
    unwritten = {spec.name for spec in topics.catalogue(PREFIX)} - set(writers)
    assert unwritten == {topics.dlq(topics.topic(r, Domain.AUDIT, PREFIX)) for r in Region}  # nobody consumes audit


def test_services_read_their_own_service_and_agencies_only_results():
    reads = {(g.principal, g.name) for g in namespace_grants(PREFIX) if g.operation is Operation.READ}
    j, q = Region.JIASHAN, Region.QINGPU
    assert (service_principal(j, Domain.FILING), topics.topic(q, Domain.FILING, PREFIX)) in reads
    assert (service_principal(j, Domain.FILING), topics.topic(q, Domain.ALERTS, PREFIX)) not in reads
    agency_reads = {name for who, name in reads if who == agency_principal(j)}
    assert agency_reads == {topics.results(j, d, PREFIX) for d in Domain if d.is_service}


def test_no_grant_is_prefixed_on_topics_but_mirrormakers_and_nothing_is_granted_twice():
    grants = namespace_grants(PREFIX)
    assert len(grants) == len(set(grants))
    assert not [g for g in grants if g.prefixed and g.resource is Resource.TOPIC]
    for home in Region:
        for cluster in Region:
            for grant in mirror_grants(home, cluster):
                assert grant.operation is not Operation.WRITE or grant.name.split(".")[0] != home.value
                if cluster is not home:
                    assert grant.operation in (Operation.READ, Operation.DESCRIBE, Operation.DESCRIBE_CONFIGS)


def test_every_principal_granted_anything_can_authenticate():
    granted = {g.principal for g in namespace_grants()} | {
        g.principal for h in Region for c in Region for g in mirror_grants(h, c)
    }
    assert granted <= set(scram_principals())
