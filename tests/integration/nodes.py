"""A minimal instance of the shared library (store + outbox relay + consumer runner) for one region,
with a handler that records what it saw: enough to test the platform without any service."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.consumer import ConsumerConfig, ConsumerRunner
from shared.adapters.kafka.producer import make_producer
from shared.adapters.outbox import OutboxRelay
from shared.adapters.store import Store
from shared.contracts.envelope import Event
from shared.contracts.regions import Domain, Region
from shared.core.uow import UnitOfWork

SEEN = [
    (
        "test-seen",
        "CREATE TABLE seen (event_id TEXT PRIMARY KEY, type TEXT, subject TEXT, region TEXT, "
        "correlation_id TEXT, causation_id TEXT)",
    )
]


@dataclass
class Node:
    region: Region
    store: Store
    relay: OutboxRelay
    consumer: ConsumerRunner
    prefix: str
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self, consume: bool = True) -> Node:
        targets = [self.relay.run] + ([self.consumer.run] if consume else [])
        for target in targets:
            thread = threading.Thread(target=target, args=(self.stop,), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def close(self) -> None:
        self.stop.set()
        self.relay.notify()
        for thread in self.threads:
            thread.join(20)

    def uow(self, conn) -> UnitOfWork:
        return UnitOfWork(
            conn=conn,
            region=self.region,
            source=f"/yrd/{self.region.value}/filing",
            topic_prefix=self.prefix,
            correlation_id="corr-1",
        )

    def seen(self) -> list[dict]:
        return [dict(r) for r in self.store.connect().execute("SELECT * FROM seen ORDER BY rowid")]


def record_seen(conn, event: Event) -> None:
    conn.execute(
        "INSERT INTO seen VALUES (?, ?, ?, ?, ?, ?)",
        (event.id, event.type.type, event.subject, event.region.value, event.correlation_id, event.causation_id),
    )


def make_node(
    region: Region, kafka: KafkaAccess, prefix: str, tmp_path, group: str | None = None, handler=record_seen
) -> Node:
    store = Store(tmp_path / f"{region.value}-{group or 'node'}.sqlite3", SEEN)
    labels = {"service": "test", "region": region.value}

    def producer():
        return make_producer(kafka)

    relay = OutboxRelay(store, producer, labels, poll_seconds=0.05)
    config = ConsumerConfig(
        kafka=kafka,
        group_id=group or f"{prefix}{region.value}.test",
        region=region.value,
        service="test",
        domain=Domain.FILING,
        topic_prefix=prefix,
        max_attempts=3,
        first_backoff=0.05,
    )
    return Node(region, store, relay, ConsumerRunner(config, store, handler, producer), prefix)
