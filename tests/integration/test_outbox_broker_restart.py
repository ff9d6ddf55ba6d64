"""Writes are accepted while Kafka is down; their events arrive after it returns: none lost, none doubled.
The broker stopped here is the test's own (tests/integration/private_broker.py), never the shared one."""

from __future__ import annotations

import pytest

from shared.adapters.kafka.admin import provision
from shared.adapters.outbox import backlog, wait_until_drained
from shared.contracts import filing as ev
from shared.contracts.regions import Region
from shared.contracts.topics import topic
from tests.helpers import eventually
from tests.integration.nodes import make_node
from tests.integration.private_broker import PrivateBroker
from tests.integration.test_platform import read_all, withdrawn

pytestmark = pytest.mark.integration
PREFIX = "restart."


@pytest.fixture
def private_broker(tmp_path_factory):
    broker = PrivateBroker.create(tmp_path_factory.mktemp("kafka"))
    broker.start()
    provision(broker.kafka, prefix=PREFIX)
    yield broker
    broker.stop()


def test_outbox_survives_a_broker_stop_and_start(private_broker, tmp_path):
    kafka = private_broker.kafka
    jiashan = make_node(Region.JIASHAN, kafka, PREFIX, tmp_path).start(consume=False)
    qingpu = make_node(Region.QINGPU, kafka, PREFIX, tmp_path, group=f"{PREFIX}restart").start()
    try:
        private_broker.stop()
        ids = []
        for i in range(20):  # each write commits on its own while the broker is away
            with jiashan.store.transaction() as conn:
                ids.append(jiashan.uow(conn).emit(ev.WITHDRAWN, f"down-{i}", withdrawn(f"down-{i}")).id)
        assert backlog(jiashan.store.connect()) == 20
        private_broker.start()
        assert wait_until_drained(jiashan.store, timeout=60)
        seen = eventually(
            lambda: (s := {r["event_id"] for r in qingpu.seen()}) >= set(ids) and s,
            timeout=60,
            what="every event written during the outage",
        )
        assert set(ids) <= seen
        on_topic = [
            r for r in read_all(kafka, topic(Region.JIASHAN, "filing", PREFIX), 20) if r.key.startswith(b"down-")
        ]
        ce_ids = [dict(r.headers)["ce_id"].decode() for r in on_topic]
        assert sorted(ce_ids) == sorted(ids)  # each exactly once on the topic
    finally:
        if not private_broker.running:
            private_broker.start()
        jiashan.close()
        qingpu.close()
