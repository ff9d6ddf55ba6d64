"""On Kafka an agency is itself: each catalogued agency has its own broker principal (named as its OAuth
client) and consumer groups of its own prefix, so an agency system resumes from its committed offsets after
a restart, and neither another agency nor the region's shared agency principal reads or moves them."""

from __future__ import annotations

import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import GroupAuthorizationFailedError, TopicAuthorizationFailedError
from kafka.structs import OffsetAndMetadata
from yrd_client import models
from yrd_client.kafka import Commands

from shared.adapters.kafka.access import DEV_CREDENTIALS, KafkaAccess, password_of
from shared.adapters.kafka.scram import ensure_credentials
from shared.contracts.agencies import AGENCIES
from shared.contracts.regions import Region
from shared.contracts.topics import results
from shared.rules.broker_access import agency_group_prefix, agency_principal
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.instances import token

pytestmark = pytest.mark.e2e
J, Q = Region.JIASHAN, Region.QINGPU
COURT = AGENCIES["jiashan-court-system"]


@pytest.fixture(scope="module")
def agency_credentials(kafka):
    ensure_credentials(kafka)  # agencies catalogued after the broker's storage was formatted


def _sasl(principal: str) -> tuple[str, str]:
    return principal, password_of(DEV_CREDENTIALS, principal)


def _commands(kafka: KafkaAccess, prefix: str, principal: str, group_id: str | None) -> Commands:
    bearer = token(J, Role.AGENCY_SYSTEM, subject=COURT.id, agency=COURT.id)
    return Commands(
        kafka.bootstrap, "jiashan", "filing", bearer, source=f"/agency/{COURT.id}", topic_prefix=prefix,
        sasl=_sasl(principal), group_id=group_id,
    )  # fmt: skip


def _body() -> models.SubmitFiling:
    return models.SubmitFiling.model_validate({**filing_body(), "claim_summary": f"货款纠纷 {uuid.uuid4()}"})


def test_an_agency_resumes_from_its_committed_offsets_after_a_restart(
    filing_cluster, e2e_prefix, kafka, agency_credentials
):
    group = agency_group_prefix(COURT, e2e_prefix) + "filing-results"
    with _commands(kafka, e2e_prefix, COURT.id, group) as commands:
        first_id = commands.send("submit", _body())
        first = commands.results([first_id])[first_id]
    assert first.ok and first.status == 202, first

    with _commands(kafka, e2e_prefix, COURT.id, None) as sender:  # sent while the system was "down"
        missed = sender.send("submit", _body())
        assert sender.results([missed])[missed].status == 202  # answered meanwhile

    with _commands(kafka, e2e_prefix, COURT.id, group) as restarted:
        # Not from the end: from the group's committed offset, so the answer given meanwhile is read now.
        assert restarted.results([missed], timeout=30)[missed].status == 202
        assert first_id not in restarted.seen  # read and committed before the restart: not read again


def _read(kafka: KafkaAccess, principal: str, topic: str, group: str | None) -> None:
    """Fetch from the topic's beginning and commit in `group` (an empty answer is fine: a refusal is not)."""
    access = KafkaAccess(kafka.bootstrap, *_sasl(principal))
    consumer = KafkaConsumer(**access.config(), group_id=group, enable_auto_commit=False, request_timeout_ms=10000)
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        consumer.poll(timeout_ms=500)
        consumer.position(partition)
        if group is not None:
            consumer.commit({partition: OffsetAndMetadata(0, "", -1)})
    finally:
        consumer.close(autocommit=False)


def test_an_agency_reads_in_no_other_agencys_groups_and_no_other_regions_results(
    filing_cluster, e2e_prefix, kafka, agency_credentials
):
    own, topic = agency_group_prefix(COURT, e2e_prefix) + "check", results(J, "filing", e2e_prefix)
    _read(kafka, COURT.id, topic, own)
    firm = agency_group_prefix(AGENCIES["jiashan-law-firm"], e2e_prefix) + "filing-results"
    with pytest.raises(GroupAuthorizationFailedError):
        _read(kafka, COURT.id, topic, firm)
    with pytest.raises(TopicAuthorizationFailedError):
        _read(kafka, COURT.id, results(Q, "filing", e2e_prefix), None)


def test_the_regions_shared_agency_principal_has_no_consumer_group(filing_cluster, e2e_prefix, kafka):
    _read(kafka, agency_principal(J), results(J, "filing", e2e_prefix), None)  # manual assignment works
    with pytest.raises(GroupAuthorizationFailedError):
        _read(kafka, agency_principal(J), results(J, "filing", e2e_prefix), agency_group_prefix(COURT, e2e_prefix))
