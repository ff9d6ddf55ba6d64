"""Signed events against running instances and the real broker: someone holding the broker credentials of
Qingpu's filing instance (so the broker's ACLs let the write through), but not its event key, puts a
record on Qingpu's topic saying Qingpu's court let a filing be withdrawn. Unsigned, or signed with
another region's key, it is dead-lettered with its reason by every consumer and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from kafka import KafkaProducer

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.dlq import read_dead_letters
from shared.adapters.signing import EventSigner, event_key_path
from shared.contracts import filing as ev
from shared.contracts.envelope import Event, encode
from shared.contracts.regions import Domain, Region
from shared.contracts.topics import dlq, topic
from shared.rules.broker_access import service_principal
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.helpers import eventually
from tests.instances import KEYS, token

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
F = Domain.FILING


def forged_withdrawal(filing_id: str, signer: EventSigner | None) -> tuple[str, bytes, bytes, list]:
    data = ev.Withdrawn(filing_id=filing_id, version=99, reason="forged", withdrawn_at=datetime.now(UTC))
    event = Event(type=ev.WITHDRAWN, data=data, subject=filing_id, region=Q, source="/yrd/qingpu/filing")
    record = encode(event)
    headers = signer.sign(record.headers, record.value) if signer else record.headers
    return event.id, record.key, record.value, headers


def test_forged_events_on_the_broker_are_dead_lettered_and_change_nothing(filing_cluster, kafka):
    clerk = filing_cluster.client(J, F, token(J, Role.WINDOW_CLERK))
    filing_id = clerk.post("/filings", json=filing_body(court="qingpu")).json()["id"]
    court = filing_cluster.client(Q, F, token(Q, Role.COURT_OFFICER))
    eventually(lambda: court.get(f"/filings/{filing_id}").json().get("status") == "received", timeout=20)

    jiashan_key = EventSigner.load(event_key_path(KEYS, J), J)
    forgeries = {
        "misattributed": forged_withdrawal(filing_id, jiashan_key),
        "bad-signature": forged_withdrawal(filing_id, None),
    }
    stolen = KafkaAccess.of(kafka.bootstrap, principal=service_principal(Q, F))
    producer = KafkaProducer(**stolen.config(), acks="all")
    for _, key, value, headers in forgeries.values():
        producer.send(topic(Q, F, filing_cluster.prefix), key=key, value=value, headers=headers)
    producer.flush()
    producer.close()

    source = topic(Q, F, filing_cluster.prefix)

    def refused(region: Region) -> set[str]:
        letters = read_dead_letters(kafka, dlq(topic(region, F, filing_cluster.prefix)))
        return {d.reason for d in letters if d.source.startswith(source) and d.reason in forgeries}

    for region in Region:  # every consumer refuses both, into its own dead-letter topic (Qingpu's too)
        eventually(lambda region=region: refused(region) == set(forgeries), timeout=30, what=f"{region}'s refusals")
    assert clerk.get(f"/filings/{filing_id}").json()["status"] == "received"
    assert court.get(f"/filings/{filing_id}").json()["status"] == "received"
