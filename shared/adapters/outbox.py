"""Transactional outbox: an event is stored in the same transaction as the change that caused it, and a
relay publishes stored events in order, marking each sent only after the broker confirmed it.

While Kafka is away, writes still commit; the relay keeps retrying and the backlog drains when it returns.
A crash between publish and mark re-sends the event; consumers drop it by its id (processed_events).

Several processes of one instance (PostgreSQL) each run a relay; each event is still published once, and
the events of one record in the order they were stored. A relay publishes a batch inside a claim
(`Store.outbox_claim`): a transaction that first wins a transaction-level advisory lock (one relay of the
instance at a time: a loser publishes nothing and tries again soon), then takes the oldest unsent rows in
`seq` order `FOR UPDATE SKIP LOCKED`, publishes them in that order, and marks the confirmed ones sent in the
same transaction. A batch's unconfirmed rows stay unsent and lead the next batch, whichever process's relay
claims it; rows commit in `seq` order because every write transaction holds the instance's write lock.
On SQLite (one process per store file) the claim is the thread's connection, and marks are a write.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable

import orjson
from kafka import KafkaProducer

from shared.adapters import metrics
from shared.adapters.kafka.health import BrokerHealth
from shared.adapters.kafka.producer import close_producer
from shared.adapters.schema import mark_processed
from shared.adapters.store import Store
from shared.adapters.transactions import staged_outbox
from shared.contracts.envelope import Event, encode

log = logging.getLogger(__name__)


def add(conn: sqlite3.Connection, topic: str, event: Event) -> None:
    """Stage `event` for `topic` inside the caller's transaction. The event also counts as processed
    here, because the change it describes is already applied: its echo from Kafka changes nothing."""
    record = encode(event)
    headers = orjson.dumps([[name, value.decode()] for name, value in record.headers])
    conn.execute(
        "INSERT INTO outbox(event_id, topic, key, value, headers) VALUES (?, ?, ?, ?, ?)",
        (event.id, topic, record.key, record.value, headers),
    )
    mark_processed(conn, event.id)
    staged_outbox(conn)


def pending(conn: sqlite3.Connection, limit: int, lock: bool = False) -> list[sqlite3.Row]:
    """The oldest events not yet confirmed by the broker, in the order they were stored; `lock`: claimed
    for this transaction (PostgreSQL), rows another transaction holds skipped."""
    claim = " FOR UPDATE SKIP LOCKED" if lock else ""
    return conn.execute(
        f"SELECT seq, topic, key, value, headers FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?{claim}",
        (limit,),
    ).fetchall()


Headers = list[tuple[str, bytes]]


def stored_headers(row: sqlite3.Row) -> Headers:
    return [(name, value.encode()) for name, value in orjson.loads(row["headers"])]


def mark_sent(conn: sqlite3.Connection, seqs: list[int]) -> None:
    """One statement for a whole confirmed batch (SQLite reads the list as JSON, PostgreSQL as an array)."""
    if isinstance(conn, sqlite3.Connection):
        conn.execute(
            "UPDATE outbox SET sent_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') "
            "WHERE seq IN (SELECT value FROM json_each(?))",
            (orjson.dumps(seqs).decode(),),
        )
    else:
        conn.execute("UPDATE outbox SET sent_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE seq = ANY(?)", (seqs,))


def backlog(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]


# Retries while the broker is away are this far apart at most: short, so the backlog leaves soon after
# it returns (each attempt is one bounded connect, not a flood: failures are logged once, by BrokerHealth).
MAX_BACKOFF_SECONDS = 1.0
CLAIM_RETRY_SECONDS = 0.05


class OutboxRelay:
    def __init__(
        self,
        store: Store,
        producer_factory: Callable[[], KafkaProducer],
        labels: dict[str, str],
        poll_seconds: float = 0.2,
        batch: int = 500,
        health: BrokerHealth | None = None,
        sign: Callable[[list[tuple[Headers, bytes]]], list[Headers]] | None = None,
    ) -> None:
        """`sign`: the region's event signature added to the records of a batch as they leave, each record's
        headers in order (EventSigner.sign_all, shared/adapters/signing.py)."""
        self.sign = sign or (lambda records: [headers for headers, _ in records])
        self.store = store
        self.producer_factory = producer_factory
        self.labels = labels
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.wakeup = threading.Event()
        self.health = health or BrokerHealth(labels)
        self._producer: KafkaProducer | None = None
        store.on_outbox_commit(self.notify)

    def outgoing_headers(self, rows: list[sqlite3.Row]) -> list[Headers]:
        """Each row's headers as it leaves: signed, one signature for the batch."""
        return self.sign([(stored_headers(row), row["value"]) for row in rows])

    def notify(self) -> None:
        """Called by the store after a transaction that staged events commits, so they leave now rather
        than at the next poll (and to end the wait when stopping)."""
        self.wakeup.set()

    def run(self, stop: threading.Event) -> None:
        backoff = self.poll_seconds
        while not stop.is_set():
            # Cleared before the rows are read, not after the wait: a commit that lands between the wait's
            # end and the read sets it again and is seen at once; cleared after the wait, it was lost, and
            # its event waited out the next poll (2 s).
            self.wakeup.clear()
            try:
                sent = self.pump_once()
                backoff = self.poll_seconds
                if sent:
                    self.health.report(True, "outbox")
                    continue
                if sent is None:  # another process's relay holds the claim: its rows may include ours
                    stop.wait(CLAIM_RETRY_SECONDS)
                    continue
            except Exception as error:  # broker away, timeouts: keep the rows, retry with backoff
                metrics.PUBLISH_FAILURES.labels(**self.labels).inc()
                self.health.report(False, "outbox", error)
                log.debug("outbox publish failed, will retry", extra={"error": type(error).__name__})
                self._reset_producer()
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            self.wakeup.wait(backoff)
        self._reset_producer()

    def pump_once(self) -> int | None:
        """Publish one batch; how many the broker confirmed (None: another relay holds the claim)."""
        with self.store.outbox_claim() as conn:
            return None if conn is None else self._publish(conn)

    def _publish(self, conn: sqlite3.Connection) -> int:
        rows = pending(conn, self.batch, lock=self.store.dialect != "sqlite")
        if not rows:
            metrics.OUTBOX_BACKLOG.labels(**self.labels).set(0)
            return 0
        producer = self._producer or self.producer_factory()
        self._producer = producer
        futures = []
        for row, headers in zip(rows, self.outgoing_headers(rows), strict=True):
            event_type = next((v for n, v in headers if n == "ce_type"), b"").decode()
            future = producer.send(row["topic"], key=row["key"], value=row["value"], headers=headers)
            futures.append((row["seq"], event_type, future))
        producer.flush(timeout=30)
        confirmed: list[int] = []
        published: Counter[str] = Counter()
        try:
            for seq, event_type, future in futures:
                future.get(timeout=30)  # in order: stop at the first failure, keep the rest for retry
                confirmed.append(seq)
                published[event_type] += 1
        finally:
            if confirmed:
                self.store.mark_claimed(conn, lambda claimed: mark_sent(claimed, confirmed))
            for event_type, count in published.items():
                metrics.PUBLISHED.labels(type=event_type, **self.labels).inc(count)
        # A short batch was the whole backlog; only after a full one is there more to count.
        remaining = backlog(conn) if len(rows) == self.batch else len(rows) - len(confirmed)
        metrics.OUTBOX_BACKLOG.labels(**self.labels).set(remaining)
        return len(confirmed)

    def _reset_producer(self) -> None:
        # A fresh producer after a failure gets a new producer id, so no stale sequence numbers linger.
        if self._producer is not None:
            try:
                close_producer(self._producer, timeout=2)
            except Exception:
                log.debug("producer close failed", exc_info=True)
            self._producer = None


def wait_until_drained(store: Store, timeout: float = 30.0) -> bool:
    """For tests and shutdown: True once every stored event has been confirmed by the broker."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if backlog(store.connect()) == 0:
            return True
        time.sleep(0.05)
    return False
