"""The broker itself refuses what a principal was not granted (shared/rules/broker_access.py): every
denial here comes back from Kafka (TopicAuthorizationFailed and its kin), and the granted paths work."""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import (
    GroupAuthorizationFailedError,
    KafkaError,
    TopicAuthorizationFailedError,
)
from kafka.structs import OffsetAndMetadata

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.producer import close_producer, make_producer
from shared.contracts import topics
from shared.contracts.regions import Domain, Region
from shared.rules.broker_access import agency_principal, service_principal

pytestmark = pytest.mark.integration


@pytest.fixture
def prefix(scratch_prefix) -> str:
    return scratch_prefix


J, Q = Region.JIASHAN, Region.QINGPU
F, A = Domain.FILING, Domain.ALERTS


def as_principal(kafka: KafkaAccess, principal: str) -> KafkaAccess:
    return KafkaAccess.of(kafka.bootstrap, principal=principal)


def write(access: KafkaAccess, topic_name: str, wait_ms: int = 10000) -> None:
    producer = make_producer(access, max_block_ms=wait_ms, bootstrap_timeout_ms=wait_ms)
    try:
        producer.send(topic_name, b"{}").get(timeout=15)
    finally:
        close_producer(producer, timeout=5)


def read(access: KafkaAccess, topic_name: str, group: str | None = None) -> None:
    """Fetch from the topic's beginning (an empty answer is fine: being refused is not)."""
    consumer = KafkaConsumer(**access.config(), group_id=group, enable_auto_commit=False, request_timeout_ms=10000)
    try:
        partition = TopicPartition(topic_name, 0)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        consumer.poll(timeout_ms=500)
        consumer.position(partition)
        if group is not None:
            consumer.commit({partition: OffsetAndMetadata(0, "", -1)})
    finally:
        consumer.close(autocommit=False)


@pytest.fixture
def jiashan_filing(kafka) -> KafkaAccess:
    return as_principal(kafka, service_principal(J, F))


def test_a_service_writes_its_regions_topics_of_its_own_service_only(jiashan_filing, prefix):
    own = topics.topic(J, F, prefix)
    for allowed in (own, topics.dlq(own), topics.results(J, F, prefix), topics.topic(J, Domain.AUDIT, prefix)):
        write(jiashan_filing, allowed)
    for denied in (topics.topic(Q, F, prefix), topics.topic(J, A, prefix), topics.commands(J, F, prefix)):
        with pytest.raises(TopicAuthorizationFailedError):
            write(jiashan_filing, denied)


def test_a_service_reads_its_service_in_every_region_and_nothing_else(jiashan_filing, prefix):
    for region in Region:
        read(jiashan_filing, topics.topic(region, F, prefix))
    read(jiashan_filing, topics.commands(J, F, prefix))
    for denied in (topics.topic(Q, A, prefix), topics.commands(Q, F, prefix), topics.topic(Q, Domain.AUDIT, prefix)):
        with pytest.raises(TopicAuthorizationFailedError):
            read(jiashan_filing, denied)


def test_a_service_commits_offsets_in_its_own_consumer_groups_only(jiashan_filing, prefix):
    own = topics.topic(J, F, prefix)
    read(jiashan_filing, own, group=f"{prefix}yrd.filing.jiashan")
    read(jiashan_filing, own, group=f"{prefix}yrd.filing.jiashan.commands")
    with pytest.raises(GroupAuthorizationFailedError):
        read(jiashan_filing, own, group=f"{prefix}yrd.filing.qingpu")


def test_an_agency_system_writes_commands_and_reads_their_results_only(kafka, prefix):
    agency = as_principal(kafka, agency_principal(J))
    write(agency, topics.commands(J, F, prefix))
    write(agency, topics.commands(J, A, prefix))
    read(agency, topics.results(J, F, prefix))
    for denied in (topics.topic(J, F, prefix), topics.commands(Q, F, prefix), topics.results(J, F, prefix)):
        with pytest.raises(TopicAuthorizationFailedError):
            write(agency, denied)
    with pytest.raises(TopicAuthorizationFailedError):
        read(agency, topics.topic(J, F, prefix))


def test_only_the_admin_provisions(kafka, jiashan_filing, prefix):
    name = f"{prefix}jiashan.filing.extra"
    admin = KafkaAdminClient(**jiashan_filing.config(), request_timeout_ms=10000)
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            admin.create_topics([NewTopic(name, 1, 1)], timeout_ms=10000)
    finally:
        admin.close()


def test_nobody_gets_in_without_a_known_identity(kafka, prefix):
    """A wrong password, or no SASL at all: the broker ends the connection before any request."""
    impostor = KafkaAccess(kafka.bootstrap, service_principal(J, F), "not-the-password")
    anonymous = KafkaAccess(kafka.bootstrap)  # PLAINTEXT: the listener speaks SASL only
    for stranger in (impostor, anonymous):
        with pytest.raises(KafkaError, match="Unable to bootstrap"):
            write(stranger, topics.topic(J, F, prefix), wait_ms=3000)
