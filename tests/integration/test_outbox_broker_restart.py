"""Writes are accepted while Kafka is down; their events arrive after it returns: none lost, none doubled."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from shared.contracts import filing as ev
from shared.outbox import backlog, wait_until_drained
from shared.regions import Region
from shared.topics import topic
from tests.helpers import eventually
from tests.integration.nodes import make_node
from tests.integration.test_platform import read_all, withdrawn

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
PIDFILE = ROOT / ".cache" / "kafka" / "run" / "broker.pid"


def broker(command: str) -> None:
    subprocess.run(["bash", str(ROOT / "deploy" / "kafka" / f"{command}.sh")], check=True, timeout=120)


@pytest.mark.skipif(bool(os.environ.get("KAFKA_BOOTSTRAP")), reason="only the project's own broker is restarted")
def test_outbox_survives_a_broker_stop_and_start(bootstrap, prefix, tmp_path):
    if not PIDFILE.exists():
        pytest.skip("the broker was not started by deploy/kafka/start.sh")
    jiashan = make_node(Region.JIASHAN, bootstrap, prefix, tmp_path).start(consume=False)
    qingpu = make_node(Region.QINGPU, bootstrap, prefix, tmp_path, group=f"{prefix}restart").start()
    try:
        broker("stop")
        ids = []
        for i in range(20):  # each write commits on its own while the broker is away
            with jiashan.store.transaction() as conn:
                ids.append(jiashan.uow(conn).emit(ev.WITHDRAWN, f"down-{i}", withdrawn(f"down-{i}")).id)
            jiashan.relay.notify()
        assert backlog(jiashan.store.connect()) == 20
        broker("start")
        assert wait_until_drained(jiashan.store, timeout=60)
        seen = eventually(
            lambda: (s := {r["event_id"] for r in qingpu.seen()}) >= set(ids) and s,
            timeout=60,
            what="every event written during the outage",
        )
        assert set(ids) <= seen
        on_topic = [
            r for r in read_all(bootstrap, topic(Region.JIASHAN, "filing", prefix), 20) if r.key.startswith(b"down-")
        ]
        ce_ids = [dict(r.headers)["ce_id"].decode() for r in on_topic]
        assert sorted(ce_ids) == sorted(ids)  # each exactly once on the topic
    finally:
        if not PIDFILE.exists():
            broker("start")
        jiashan.close()
        qingpu.close()
