"""The consumer runner: every region's topic of one domain in, handlers applied exactly once, offsets
committed only after the store write, poison to the dead-letter topic, transient failures retried.
Good records of a poll, of every partition, are applied in one transaction (a savepoint per partition's
run of records): a poll's cost is paid once, however many partitions its records came from.

A region reads its own topic too. Its own events come back and are skipped by id (they were applied as
they were written), but a record in its name that it never wrote (its broker credentials stolen) is
refused and dead-lettered here as in every other region, so the owner sees the forgery too.

Dead letters go to the consuming region's own `{region}.{domain}.dlq` (dead_letters.py).
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError, RebalanceInProgressError
from kafka.structs import OffsetAndMetadata

from shared.adapters import metrics
from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.assignment import Offsets, assigned_consumer, lag_by_topic
from shared.adapters.kafka.dead_letters import DeadLetters
from shared.adapters.kafka.health import BrokerHealth
from shared.adapters.schema import mark_processed, processed
from shared.adapters.signing import Reader, plain_reader
from shared.adapters.store import Store
from shared.adapters.transactions import after_commit, savepoint
from shared.contracts.envelope import DeadLetterReason, Event, PoisonMessage
from shared.contracts.regions import Domain
from shared.contracts.topics import all_regions_topics, dlq, topic

log = logging.getLogger(__name__)

Handler = Callable[[sqlite3.Connection, Event], None]
Batch = dict[TopicPartition, list[ConsumerRecord]]  # what one poll answers


@dataclass(frozen=True)
class ConsumerConfig:
    kafka: KafkaAccess
    group_id: str
    region: str
    service: str
    domain: Domain
    topic_prefix: str = ""
    max_attempts: int = 5
    first_backoff: float = 0.2
    connect_timeout_ms: int = 5000
    commit_interval: float = 1.0  # seconds between offset commits while records keep arriving
    shared: bool = False  # several processes serve the instance: its group's partitions are spread over them

    @property
    def labels(self) -> dict[str, str]:
        return {"service": self.service, "region": self.region}

    @property
    def dead_letter_topic(self) -> str:
        return dlq(topic(self.region, self.domain, self.topic_prefix))


class ConsumerRunner:
    def __init__(
        self,
        config: ConsumerConfig,
        store: Store,
        handle: Handler,
        producer_factory: Callable[[], KafkaProducer],
        health: BrokerHealth | None = None,
        read: Reader = plain_reader,
    ) -> None:
        """`read`: a record to an event; with the zone's trust list it checks the signature first."""
        self.read = read
        self.config = config
        self.health = health or BrokerHealth(config.labels)
        self._duplicates = metrics.DUPLICATES.labels(**config.labels)
        self._handler_seconds = metrics.HANDLER_SECONDS.labels(**config.labels)
        # Per event type and per source region, looked up once (labels() costs ~2 µs, on every event).
        self._consumed = functools.cache(lambda type_: metrics.CONSUMED.labels(type=type_, **config.labels))
        self._delay = functools.cache(lambda source: metrics.EVENT_DELAY.labels(source=source, **config.labels))
        self.store = store
        self.handle = handle
        self.producer_factory = producer_factory
        self.dead_letters = DeadLetters(
            config.dead_letter_topic, config.group_id, producer_factory, config.labels, config.first_backoff
        )
        self.assigned = threading.Event()
        # Set once every assigned partition has been read up to its high watermark: decisions that
        # depend on other regions' events (deadlines, escalations) wait for it after a (re)start.
        self.caught_up = threading.Event()

    def run(self, stop: threading.Event) -> None:
        """Consume until `stop`; a broker outage or client failure restarts the client after a pause.
        Nothing is lost by a restart: uncommitted records are delivered again and skipped by id."""
        while not stop.is_set():
            try:
                self._consume(stop)
            except Exception as error:
                self.health.report(False, "consumer", error)
                log.debug("consumer failed, restarting", extra={"error": type(error).__name__})
                stop.wait(0.5)

    def _consume(self, stop: threading.Event) -> None:
        offsets = Offsets(self.config.commit_interval)
        consumer = assigned_consumer(
            self.config.kafka,
            self.config.group_id,
            all_regions_topics(self.config.domain, self.config.topic_prefix),
            self.config.connect_timeout_ms,
            max_poll_records=100,  # one poll is one unit of the writer: bounded, so writes wait little
            shared_by=offsets.take if self.config.shared else None,
        )
        self.caught_up.clear()
        lag_reported = 0.0
        try:
            while not stop.is_set():
                # Blocks in the fetch (records return the moment they arrive); short until caught up, so
                # the scanners that wait for it start soon after a (re)start.
                batch = consumer.poll(timeout_ms=3000 if self.caught_up.is_set() else 200)
                if consumer.assignment():
                    self.assigned.set()
                if batch:  # records arrived: the broker answers (an assignment alone proves nothing)
                    self.health.report(True, "consumer")
                for partition, done in self._process_poll(batch, stop).items():
                    if done:
                        offsets.applied(partition, batch[partition][done - 1].offset + 1)
                if offsets.due(quiet=not batch):
                    self._commit(consumer, offsets.take())
                # Every poll until caught up (the scanners wait for it), then once a second.
                if time.monotonic() - lag_reported > (1.0 if self.caught_up.is_set() else 0.0):
                    self._report_lag(consumer)
                    lag_reported = time.monotonic()
            if offsets.pending:  # stopping: what was applied is committed, so a restart starts after it
                self._commit(consumer, offsets.take())
        finally:
            try:
                consumer.close(autocommit=False)
            finally:
                self.dead_letters.close()

    def _commit(self, consumer: KafkaConsumer, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        """A commit the group refuses (a rebalance, were the group ever shared, or a fenced commit) is not a
        failure: the records were applied and come back after a restart, skipped by id."""
        try:
            consumer.commit(offsets)
        except (RebalanceInProgressError, CommitFailedError) as error:
            log.info("commit skipped during a rebalance", extra={"error": type(error).__name__})

    def _process_poll(self, batch: Batch, stop: threading.Event) -> dict[TopicPartition, int]:
        """Each partition's records in order; answers how many of each are done. The clean runs of every
        partition share one transaction (a savepoint per run); a partition whose run stopped at a
        record that is poison or fails goes on from it alone, and the others are not held back."""
        done = self._apply_runs(batch)
        for partition, records in batch.items():
            done[partition] = self._finish(records, done[partition], stop)
            if done[partition] < len(records):
                break  # stopping mid-retry: the rest stays uncommitted, for redelivery
        return done

    def _finish(self, records: list[ConsumerRecord], done: int, stop: threading.Event) -> int:
        """Go on after a clean run stopped at `records[done]`: that record takes the careful path
        (retries, dead letter) on its own, then the next clean run, and so on to the end."""
        while done < len(records):
            if not self._process(records[done], stop):
                return done
            done += 1
            if done < len(records):
                done += self._apply_runs({0: records[done:]})[0]
        return done

    def _apply_runs(self, runs: dict[Any, list[ConsumerRecord]]) -> dict[Any, int]:
        """Apply the longest clean run of each list of records, all in one transaction; answer how many
        records of each are done."""
        started = time.perf_counter()
        outcomes = self.store.write(lambda conn: {key: self._apply_in_order(conn, run) for key, run in runs.items()})
        applied = [event for events, _ in outcomes.values() for event in events]
        self._count(applied, time.perf_counter() - started)
        return {key: done for key, (_, done) in outcomes.items()}

    def _apply_in_order(self, conn: sqlite3.Connection, records: list[ConsumerRecord]) -> tuple[list[Event], int]:
        """The records in order, up to the first that is poison or whose handler fails; answers the events
        applied and how many records are done. The run shares one savepoint: a savepoint per record copied
        every page each record touched again (~10% of a consumed event). When a handler fails, the run is
        rolled back and the records before it are applied again, so the failing one goes on alone."""
        try:
            with savepoint(conn, "run"):
                return self._apply_run(conn, records)
        except _HandlerFailed as failed:
            return self._apply_in_order(conn, records[: failed.at])

    def _apply_run(self, conn: sqlite3.Connection, records: list[ConsumerRecord]) -> tuple[list[Event], int]:
        applied: list[Event] = []
        done = 0
        for record in records:
            if self._seen(conn, record):
                done += 1  # an echo of this region's own event, or a redelivery: not even decoded
                continue
            try:
                event = self.read(record.topic, record.key, record.value, record.headers)
            except PoisonMessage:
                break
            try:
                self._apply_new(conn, event)  # _seen has just said it is new
            except Exception as error:
                raise _HandlerFailed(done) from error  # it takes the careful path (retries, dead letter)
            done += 1
            applied.append(event)
        return applied, done

    def _seen(self, conn: sqlite3.Connection, record: ConsumerRecord) -> bool:
        """Already processed, by the `ce_id` header alone (half of what a region reads is its own events
        coming back: decoding and validating them would be wasted)."""
        event_id = next((value for name, value in record.headers or [] if name == "ce_id"), None)
        return event_id is not None and self._processed(conn, event_id.decode(errors="replace"))

    def _processed(self, conn: sqlite3.Connection, event_id: str) -> bool:
        """Whether the event was applied here already (then it is counted as a skipped duplicate, once the
        poll commits: a run undone and read again does not count it twice)."""
        if not processed(conn, event_id):
            return False
        after_commit(conn, self._duplicates.inc)
        return True

    def _process(self, record: ConsumerRecord, stop: threading.Event) -> bool:
        """True once the record is handled or dead-lettered; False only when stopping first."""
        try:
            event = self.read(record.topic, record.key, record.value, record.headers)
        except PoisonMessage as poison:
            return self.dead_letters.put(record, poison.reason, poison.detail, stop)
        delay = self.config.first_backoff
        for attempt in range(1, self.config.max_attempts + 1):
            try:
                self.apply(event)
                return True
            except PoisonMessage as poison:
                return self.dead_letters.put(record, poison.reason, poison.detail, stop)
            except Exception as error:
                if attempt == self.config.max_attempts:
                    log.exception("handler failed for good", extra={"event_type": event.type.type})
                    return self.dead_letters.put(record, DeadLetterReason.HANDLER_FAILED, type(error).__name__, stop)
                metrics.HANDLER_RETRIES.labels(**self.config.labels).inc()
                log.warning("handler failed, retrying", extra={"attempt": attempt, "error": type(error).__name__})
                if stop.wait(delay):
                    return False
                delay = min(delay * 2, 5.0)
        return False

    def apply(self, event: Event) -> bool:
        """Handle one event exactly once, in its own transaction (also used to replay dead letters, and by
        the in-memory bus of the broker-free tests). True if it was new here."""
        started = time.perf_counter()
        fresh = self.store.write(lambda conn: self.apply_in(conn, event))
        self._count([event] if fresh else [], time.perf_counter() - started)
        return fresh

    def _count(self, events: list[Event], seconds: float) -> None:
        """Applied events (committed by now): counted, their handling time, and how long after their
        region wrote them they became readable here (clocks in step across regions, NTP)."""
        per_event, now = seconds / max(len(events), 1), time.time()
        for event in events:
            self._consumed(event.type.type).inc()
            self._handler_seconds.observe(per_event)
            self._delay(event.region.value).observe(max(now - event.time.timestamp(), 0.0))

    def apply_in(self, conn: sqlite3.Connection, event: Event) -> bool:
        """The idempotent consumer: an event id already processed changes nothing. True if applied; a
        skipped duplicate (a redelivery, or a region's own event read back) is counted apart."""
        if self._processed(conn, event.id):
            return False
        self._apply_new(conn, event)
        return True

    def _apply_new(self, conn: sqlite3.Connection, event: Event) -> None:
        self.handle(conn, event)
        mark_processed(conn, event.id)

    def _report_lag(self, consumer: KafkaConsumer) -> None:
        lag, known = lag_by_topic(consumer, asking=not self.caught_up.is_set())
        if known and not any(lag.values()):
            self.caught_up.set()
        for topic_name, behind in lag.items():
            metrics.CONSUMER_LAG.labels(topic=topic_name, **self.config.labels).set(behind)


class _HandlerFailed(Exception):
    """A handler failed at `records[at]` of a run: the run is undone and done again up to it."""

    def __init__(self, at: int) -> None:
        super().__init__(at)
        self.at = at
