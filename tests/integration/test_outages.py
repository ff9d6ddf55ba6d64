"""Broker outages leave no leaked client threads behind, and everything written during them arrives.
Runs against a broker of the module's own, which the tests kill and start again: twice, then once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from shared.adapters.kafka.admin import provision
from shared.adapters.kafka.probe import BrokerProbe
from shared.adapters.kafka.producer import make_producer
from shared.adapters.outbox import OutboxRelay, backlog, wait_until_drained
from shared.adapters.store import Store
from shared.contracts import filing as ev
from shared.contracts.regions import Region
from shared.core.uow import UnitOfWork
from tests.helpers import eventually
from tests.integration.private_broker import PrivateBroker
from tests.integration.test_platform import withdrawn

pytestmark = pytest.mark.integration
PREFIX = "outages."


def producer_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("kafka-python-producer") and t.is_alive())


@pytest.fixture(scope="module")
def broker(tmp_path_factory) -> Iterator[PrivateBroker]:
    """The module's own broker (a JVM start costs seconds of both cores), serving each test when it begins."""
    broker = PrivateBroker.create(tmp_path_factory.mktemp("kafka"))
    broker.start()
    provision(broker.kafka, prefix=PREFIX)
    try:
        yield broker
    finally:
        if broker.running:
            broker.stop()


def test_outages_leak_no_producer_threads(broker, tmp_path):
    store = Store(tmp_path / "relay.sqlite3")

    def producer():  # short delivery timeout: each outage is noticed in seconds, not minutes
        return make_producer(broker.kafka, delivery_timeout_ms=3000, request_timeout_ms=2000)

    relay = OutboxRelay(store, producer, {"service": "test", "region": "jiashan"}, poll_seconds=0.05)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    baseline = producer_threads()

    def write(n: int) -> None:
        with store.transaction() as conn:
            uow = UnitOfWork(conn, Region.JIASHAN, "/yrd/jiashan/filing", PREFIX, "corr")
            uow.emit(ev.WITHDRAWN, f"out-{n}", withdrawn(f"out-{n}"))

    try:
        for outage in range(2):  # a thread kept per outage would show as two above the one live producer
            write(outage * 2)
            assert wait_until_drained(store, timeout=30)
            broker.kill()
            write(outage * 2 + 1)  # pending in a producer that can no longer deliver
            eventually(lambda: relay._producer is None, timeout=30, what="the relay to give up its producer")
            assert backlog(store.connect()) == 1
            broker.start()
            assert wait_until_drained(store, timeout=60)
        assert producer_threads() <= baseline + 1  # at most the live producer, none per outage
    finally:
        stop.set()
        relay.notify()
        thread.join(20)
    assert producer_threads() == 0


def test_the_readiness_probe_keeps_one_connection_and_follows_the_brokers_kill_and_restart(broker):
    if not broker.running:  # the test before left it down (it failed during an outage)
        broker.start()
    probe = BrokerProbe(broker.kafka, timeout=1.0)
    try:
        assert probe.answers()
        kept = probe._admin
        assert probe.answers() and probe._admin is kept  # asked again over the same connection
        broker.kill()
        eventually(lambda: not probe.answers(), timeout=10, what="the probe to see the broker gone")
        assert probe._admin is None  # the broken connection dropped
        broker.start()
        eventually(probe.answers, timeout=30, what="the probe to see the broker back")
    finally:
        probe.close()
