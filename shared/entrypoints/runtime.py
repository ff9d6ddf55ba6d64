"""A running instance: settings, store, trust list, outbox relay, consumer and periodic scanners, with
their background threads. Each service's app.py builds one (the only place real dependencies are wired)."""

from __future__ import annotations

import gc
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.adapters import audit, metrics
from shared.adapters.kafka.consumer import ConsumerConfig, ConsumerRunner
from shared.adapters.kafka.health import BrokerHealth
from shared.adapters.kafka.probe import BrokerProbe
from shared.adapters.kafka.producer import make_producer
from shared.adapters.outbox import OutboxRelay
from shared.adapters.peers import Peers
from shared.adapters.schema import prune
from shared.adapters.signing import EventSigner, EventTrust, verifying_reader
from shared.adapters.store import Store
from shared.adapters.store_errors import STORE_ERRORS
from shared.adapters.stores import open_store
from shared.adapters.tokens import TrustList
from shared.contracts.audit import AUDIT_SEGMENT, MAX_SEGMENT, AuditSegment
from shared.contracts.base import REGISTRY
from shared.contracts.envelope import Event
from shared.contracts.regions import Domain
from shared.core.route import NO_ROUTE, EventRoute
from shared.core.settings import Settings
from shared.core.uow import UnitOfWork

log = logging.getLogger(__name__)


Scanner = Callable[[UnitOfWork], None]


def broker_readiness(was_ready: bool, misses: int, answered: bool) -> tuple[bool, int]:
    """Readiness after one broker probe, and the unanswered probes in a row since the last answer: a ready
    instance turns unready at the second miss in a row; an unready one turns ready at the first answer."""
    misses = 0 if answered else misses + 1
    return answered or (was_ready and misses < 2), misses


@dataclass
class Runtime:
    settings: Settings
    store: Store
    trust: TrustList
    relay: OutboxRelay
    peers: Peers
    consumer: ConsumerRunner
    route: EventRoute = NO_ROUTE
    scanners: list[Scanner] = field(default_factory=list)
    replaying: bool = False  # set by `yrd rebuild`: project events, react to none
    # Whether this process leads a duty of the instance now (the scanners); with several processes on
    # PostgreSQL, one at a time (shared/adapters/pg/leader.py); alone, always.
    leads: Callable[[str], bool] = lambda duty: True
    gauges: list[Callable[[], None]] = field(default_factory=list)
    # More background workers the service's bootstrap adds (the command consumer): (name, run(stop)).
    workers: list[tuple[str, Callable[[threading.Event], None]]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _kafka_checked: tuple[float, bool, int] = (0.0, False, 0)  # when, ready, unanswered probes in a row
    _broker_probe: BrokerProbe = field(init=False)
    _heap_to_settle: bool = False

    def __post_init__(self) -> None:
        self._broker_probe = BrokerProbe(self.settings.kafka, timeout=1.0)  # connects at its first question

    def kafka_ready(self) -> bool:
        """Whether the broker answers a metadata request within 1 s (over the probe's kept connection: probe.py),
        asked at most every 2 s (readiness probes come often). A ready instance stays ready through one
        unanswered probe and is unready at the second in a row: on a machine whose cores are saturated an answer
        can take longer than a second, and an instance dropped from its load balancer for that would drop
        requests it could serve. One not ready yet needs an answer."""
        checked_at, ready, misses = self._kafka_checked
        if time.monotonic() - checked_at > 2.0:
            ready, misses = broker_readiness(ready, misses, self._broker_probe.answers())
            self._kafka_checked = (time.monotonic(), ready, misses)
            self.relay.health.report(ready, "readiness")
        return ready

    def workers_alive(self) -> bool:
        """The relay, consumer and scanner threads are running (before start() there are none to check)."""
        return all(thread.is_alive() for thread in self._threads)

    def readiness(self) -> dict[str, bool]:
        """What /readyz answers, and what `yrd_ready` shows Prometheus."""
        return {"store": self.store.writable(), "workers": self.workers_alive(), "kafka": self.kafka_ready()}

    def refresh_gauges(self) -> None:
        for check, passed in self.readiness().items():
            metrics.READY.labels(check=check, **self.settings.metric_labels).set(1 if passed else 0)
        for refresh in self.gauges:
            refresh()

    def unit_of_work(self, conn: sqlite3.Connection, correlation_id: str | None = None, **extra: Any) -> UnitOfWork:
        """A unit of work of this instance, whose events take the instance's route."""
        return UnitOfWork.for_instance(
            self.settings, conn, correlation_id, route=self.route, replaying=self.replaying, **extra
        )

    def publish_audit(self, conn: sqlite3.Connection) -> None:
        """Stage the audit entries a write transaction appended for `{region}.audit`, a segment per
        MAX_SEGMENT entries (the store runs this just before each write transaction commits)."""
        entries = audit.unpublished(conn)
        for start in range(0, len(entries), MAX_SEGMENT):
            segment = entries[start : start + MAX_SEGMENT]
            correlations = {entry.correlation_id for entry in segment}
            uow = self.unit_of_work(conn, correlations.pop() if len(correlations) == 1 else None)
            uow.emit(AUDIT_SEGMENT, f"{segment[0].index}-{segment[-1].index}", AuditSegment(entries=segment))

    def start(self, settle_heap: bool = False) -> None:
        """Start the background threads. `settle_heap` (a served instance): what start-up built is frozen out
        of the garbage collector's walks now, after one collection, and what the threads build until the
        consumer has caught up (clients, caches) is frozen then (see settle_heap)."""
        self._stop.clear()
        if settle_heap:
            self._settle_heap(collect=True)
        self._heap_to_settle = settle_heap
        workers: list[tuple[str, Callable[[threading.Event], None]]] = [
            ("outbox-relay", self.relay.run),
            ("consumer", self.consumer.run),
            ("scanner", self._run_scanners),  # deadline scanners and housekeeping
            ("checkpointer", self._run_checkpoints),
            *self.workers,
        ]
        for name, target in workers:
            thread = threading.Thread(target=target, args=(self._stop,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self.relay.notify()  # ends its wait
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
        self._broker_probe.close()
        self.store.stop_writer()

    def _settle_heap(self, collect: bool) -> None:
        frozen = settle_heap(collect)
        metrics.HEAP_FROZEN.labels(**self.settings.metric_labels).set(frozen)
        log.info("heap settled", extra={"frozen_objects": frozen})

    def _housekeeping(self) -> None:
        try:
            removed = self.store.write(lambda conn: prune(conn, datetime.now(UTC)))
            if removed:
                log.info("housekeeping", extra={"rows_removed": removed})
        except Exception:
            log.exception("housekeeping failed")

    def _run_checkpoints(self, stop: threading.Event) -> None:
        """The store's WAL copied back into its database once a second, beside the writer (Store.checkpoint)."""
        while not stop.wait(CHECKPOINT_SECONDS):
            try:
                self.store.checkpoint()
            except STORE_ERRORS:
                log.exception("checkpoint failed")  # the next commit past the mark checkpoints instead

    def _run_scanners(self, stop: threading.Event) -> None:
        next_housekeeping = time.monotonic() + 60
        while not stop.wait(self.settings.scan_seconds):
            leading = self.leads("scanners")  # or another process of the instance runs them
            if leading and time.monotonic() >= next_housekeeping:
                self._housekeeping()
                next_housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
            if not self.consumer.caught_up.is_set():
                continue  # decide deadlines only after reading what other regions already sent
            if self._heap_to_settle:
                self._heap_to_settle = False
                self._settle_heap(collect=False)
            if leading:
                self.scan_once()

    def scan_once(self) -> None:
        """Run each scanner once, each in its own unit of work (one failing does not stop the others)."""
        for scan in self.scanners:
            try:
                self.store.write(lambda conn, scan=scan: scan(self.unit_of_work(conn)))
            except Exception:
                log.exception("scanner failed", extra={"scanner": getattr(scan, "__name__", "?")})


HOUSEKEEPING_SECONDS = 600
CHECKPOINT_SECONDS = 1.0


def settle_heap(collect: bool = True) -> int:
    """Freeze what the process has built so far out of the garbage collector's walks (gc.freeze). An
    instance's start-up objects (modules, app, schemas, clients; some 120,000) live as long as the process,
    yet every full collection walked them all again: under load one every two seconds or so, 60 ms each
    with every thread stopped, and the requests in flight made the POST tail. Frozen, a full collection
    walks only what was made since (about 1 ms). `collect` first, so no garbage is frozen: a full
    collection costs tens of ms, so it is paid once, at start-up; what is built later (the clients, as the
    consumer catches up) is frozen as it is, in no time. Answers how many objects are frozen."""
    if collect:
        gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def producer_factory(settings: Settings) -> Callable[[], object]:
    kafka = settings.kafka

    def producer() -> object:
        timeout = settings.kafka_timeout_ms
        return make_producer(kafka, max_block_ms=timeout, bootstrap_timeout_ms=timeout)

    return producer


def build_runtime(settings: Settings, domain: Domain, migrations, route: EventRoute) -> Runtime:
    """Wire the real dependencies: the store (SQLite, or PostgreSQL if `store_url` says so), trust file,
    Kafka producer, relay and consumer."""
    store = open_store(settings, migrations)
    trust = TrustList.load(settings.resolved_trust_file)
    producer = producer_factory(settings)

    # Counters of the domain's event types start at 0, so Prometheus counts an instance's first events too.
    for declared in REGISTRY.values():
        if declared.domain is domain:
            metrics.PUBLISHED.labels(type=declared.type, **settings.metric_labels)
    health = BrokerHealth(settings.metric_labels)
    signer = EventSigner.load(settings.resolved_event_key_file, settings.region)
    relay = OutboxRelay(
        store, producer, settings.metric_labels, settings.outbox_poll_seconds, health=health, sign=signer.sign_all
    )

    def apply(conn, event: Event) -> None:
        # Events a reaction emits are caused by, and correlated with, the event it answers.
        route(runtime.unit_of_work(conn, event.correlation_id), event)

    consumer = ConsumerRunner(
        ConsumerConfig(
            kafka=settings.kafka,
            group_id=settings.group_id,
            region=settings.region.value,
            service=settings.service.value,
            domain=domain,
            topic_prefix=settings.topic_prefix,
            max_attempts=settings.handler_max_attempts,
            commit_interval=settings.consumer_commit_seconds,
            connect_timeout_ms=settings.kafka_timeout_ms,
            shared=settings.processes > 1,
        ),
        store,
        apply,
        producer,
        health,
        read=verifying_reader(EventTrust.load(settings.resolved_trust_file), settings.topic_prefix),
    )
    runtime = Runtime(
        settings=settings,
        store=store,
        trust=trust,
        relay=relay,
        consumer=consumer,
        peers=Peers(settings),
        route=route,
    )
    if settings.processes > 1:  # the scanners' leader elected among the processes (PostgreSQL only)
        from shared.adapters.pg.leader import Leadership

        runtime.leads = Leadership(settings.store_url or "", settings.store_schema).leads
    store.before_commit(runtime.publish_audit)
    return runtime
