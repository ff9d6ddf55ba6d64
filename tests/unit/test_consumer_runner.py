"""The consumer runner's bookkeeping, without a broker: duplicates are skipped and counted apart from
applied events, a commit refused by a rebalance is not a failure, and offsets are committed once per
interval while records stream in, at once when they pause, and when the instance stops."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from kafka import TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError, RebalanceInProgressError
from kafka.structs import OffsetAndMetadata
from prometheus_client import REGISTRY

from shared.adapters.kafka import consumer as consumer_module
from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.assignment import Offsets
from shared.adapters.kafka.consumer import ConsumerConfig, ConsumerRunner
from shared.adapters.store import Store
from shared.contracts import filing as ev
from shared.contracts.envelope import Event, encode
from shared.contracts.regions import Domain, Region
from tests.integration.test_platform import withdrawn

LABELS = {"service": "unit", "region": "qingpu"}


def runner(tmp_path, seen: list[str], commit_interval: float = 1.0) -> ConsumerRunner:
    config = ConsumerConfig(
        kafka=KafkaAccess("unused:1"),
        group_id="g",
        region="qingpu",
        service="unit",
        domain=Domain.FILING,
        commit_interval=commit_interval,
    )
    return ConsumerRunner(config, Store(tmp_path / "s.sqlite3"), lambda conn, e: seen.append(e.id), lambda: None)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, {**LABELS, **labels}) or 0.0


def test_a_redelivered_event_is_skipped_and_counted_as_a_duplicate(tmp_path):
    seen: list[str] = []
    consumer = runner(tmp_path, seen)
    event = Event(ev.WITHDRAWN, withdrawn("f-1"), "f-1", Region.JIASHAN, "/yrd/jiashan/filing")
    consumed = sample("yrd_events_consumed_total", type=ev.WITHDRAWN.type)
    duplicates = sample("yrd_events_duplicate_total")
    consumer.apply(event)
    consumer.apply(event)
    assert seen == [event.id]
    assert sample("yrd_events_consumed_total", type=ev.WITHDRAWN.type) == consumed + 1
    assert sample("yrd_events_duplicate_total") == duplicates + 1


def test_an_applied_event_shows_how_long_after_its_region_wrote_it_it_became_readable(tmp_path):
    consumer = runner(tmp_path, [])
    written = datetime.now(UTC) - timedelta(seconds=2)
    event = Event(ev.WITHDRAWN, withdrawn("f-2"), "f-2", Region.JIASHAN, "/yrd/jiashan/filing", time=written)
    count, total = (sample(f"yrd_event_delay_seconds_{s}", source="jiashan") for s in ("count", "sum"))
    slow = sample("yrd_event_delay_seconds_bucket", source="jiashan", le="1.0")
    consumer.apply(event)
    consumer.apply(event)  # a duplicate is not applied again, so not observed again
    assert sample("yrd_event_delay_seconds_count", source="jiashan") == count + 1
    assert 2.0 <= sample("yrd_event_delay_seconds_sum", source="jiashan") - total < 3.0
    assert sample("yrd_event_delay_seconds_bucket", source="jiashan", le="1.0") == slow  # not under a second
    assert sample("yrd_event_delay_seconds_count", source="wujiang") == 0


class RebalancingConsumer:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def commit(self, offsets) -> None:
        raise self.error


def test_a_commit_refused_by_a_rebalance_does_not_tear_the_consumer_down(tmp_path):
    consumer = runner(tmp_path, [])
    for error in (RebalanceInProgressError(), CommitFailedError()):
        consumer._commit(RebalancingConsumer(error), {})  # returns: the records come back and are skipped by id


def test_offsets_are_committed_once_per_interval_while_records_stream_and_at_once_when_they_pause():
    partition = TopicPartition("jiashan.filing", 0)
    streaming = Offsets(interval=3600)
    streaming.applied(partition, 5)
    streaming.applied(partition, 9)
    assert not streaming.due(quiet=False)  # records keep arriving: the interval has not passed
    assert streaming.due(quiet=True)  # a poll came back empty: commit now
    assert streaming.take() == {partition: OffsetAndMetadata(9, "", -1)}  # the last applied one only
    assert not streaming.due(quiet=True)  # nothing left to commit
    every_poll = Offsets(interval=0)
    every_poll.applied(partition, 1)
    assert every_poll.due(quiet=False)


class OneBatchConsumer:
    """A client that delivers one poll of records, during which the instance is told to stop."""

    def __init__(self, batch: dict, stop: threading.Event) -> None:
        self.batch, self.stop, self.commits = batch, stop, []

    def poll(self, timeout_ms: int) -> dict:
        self.stop.set()
        batch, self.batch = self.batch, {}
        return batch

    def assignment(self) -> set:
        return set()

    def commit(self, offsets) -> None:
        self.commits.append(offsets)

    def close(self, autocommit: bool) -> None:
        pass


UNSIZED = (None, -1, -1, -1)  # checksum and serialized sizes: not read by the runner


def records_of(partition: TopicPartition, *events: Event) -> list[ConsumerRecord]:
    return [
        ConsumerRecord(partition.topic, partition.partition, -1, offset, 0, 0, r.key, r.value, r.headers, *UNSIZED)
        for offset, r in enumerate(map(encode, events))
    ]


def withdrawal(filing_id: str) -> Event:
    return Event(ev.WITHDRAWN, withdrawn(filing_id), filing_id, Region.JIASHAN, "/yrd/jiashan/filing")


def test_what_was_applied_is_committed_when_the_instance_stops_inside_the_interval(tmp_path, monkeypatch):
    seen: list[str] = []
    consumer, stop = runner(tmp_path, seen, commit_interval=3600), threading.Event()
    partition = TopicPartition("jiashan.filing", 0)
    events = [withdrawal("f-1"), withdrawal("f-2")]
    client = OneBatchConsumer({partition: records_of(partition, *events)}, stop)
    monkeypatch.setattr(consumer_module, "assigned_consumer", lambda *args, **kwargs: client)
    consumer._consume(stop)
    assert seen == [e.id for e in events]
    assert client.commits == [{partition: OffsetAndMetadata(2, "", -1)}]


def test_a_polls_partitions_share_one_transaction_and_a_poison_record_holds_back_only_its_own(tmp_path, monkeypatch):
    seen: list[str] = []
    consumer, stop = runner(tmp_path, seen, commit_interval=3600), threading.Event()
    jiashan, wujiang = TopicPartition("jiashan.filing", 0), TopicPartition("wujiang.filing", 1)
    f1, f2, f3, w1, w2 = map(withdrawal, ["f-1", "f-2", "f-3", "w-1", "w-2"])
    poisoned = records_of(jiashan, f1, f2, f3)
    poisoned[1] = poisoned[1]._replace(value=b"{not json")
    clean = records_of(wujiang, w1, w2)
    dead: list[int] = []
    consumer.dead_letters.put = lambda record, reason, detail, stop: dead.append(record.offset) or True
    transactions = []
    write = consumer.store.write
    consumer.store.write = lambda fn: transactions.append(fn) or write(fn)
    client = OneBatchConsumer({jiashan: poisoned, wujiang: clean}, stop)
    monkeypatch.setattr(consumer_module, "assigned_consumer", lambda *args, **kwargs: client)
    consumer._consume(stop)
    assert dead == [1]  # the malformed record is dead-lettered, alone
    assert seen == [f1.id, w1.id, w2.id, f3.id]  # Wujiang's not held back; f-3 after the dead letter
    assert len(transactions) == 2  # the poll's clean runs together; the run after the dead letter
    assert client.commits == [{jiashan: OffsetAndMetadata(3, "", -1), wujiang: OffsetAndMetadata(2, "", -1)}]


class PartlyFetched:
    """A client after a restart: one partition fetched (its high-water mark known), the other not yet."""

    def __init__(self, ends: dict | Exception) -> None:
        self.fetched, self.waiting = TopicPartition("jiashan.filing", 0), TopicPartition("qingpu.filing", 0)
        self.ends, self.asked = ends, []

    def assignment(self) -> set:
        return {self.fetched, self.waiting}

    def highwater(self, partition: TopicPartition) -> int | None:
        return 3 if partition == self.fetched else None

    def position(self, partition: TopicPartition, timeout_ms: int | None = None) -> int:
        return 3 if partition == self.fetched else 7

    def end_offsets(self, partitions: list, timeout_ms: int | None = None) -> dict:
        self.asked.append(partitions)
        if isinstance(self.ends, Exception):
            raise self.ends
        return self.ends


def test_a_restarted_consumer_asks_where_unfetched_partitions_end_to_know_it_has_caught_up(tmp_path):
    """Scanners decide deadlines only once the consumer has caught up; a partition with nothing new is not
    answered by a fetch for up to 5 s, so its end is asked of the broker instead (and only until caught up)."""
    from kafka.errors import KafkaTimeoutError

    consumer = runner(tmp_path, [])
    unanswered = PartlyFetched(KafkaTimeoutError())
    consumer._report_lag(unanswered)
    assert not consumer.caught_up.is_set()  # not known yet, and no error: the next poll asks again

    behind = PartlyFetched({TopicPartition("qingpu.filing", 0): 9})
    consumer._report_lag(behind)
    assert not consumer.caught_up.is_set()  # two records still to read

    level = PartlyFetched({TopicPartition("qingpu.filing", 0): 7})
    consumer._report_lag(level)
    assert consumer.caught_up.is_set() and level.asked == [[level.waiting]]
    consumer._report_lag(level)
    assert level.asked == [[level.waiting]]  # caught up: not asked again


def test_a_handler_failing_mid_run_leaves_nothing_half_written_and_the_rest_applied_once(tmp_path, monkeypatch):
    """A run of records shares one savepoint: when a handler fails after writing, the run is undone and the
    records before it applied again, so each record's writes are in the store exactly once, the failing
    one's only from its successful retry, and the other partition's run is not held back."""
    attempts: dict[str, int] = {}

    def handle(conn, event: Event) -> None:
        conn.execute("INSERT INTO applied(id) VALUES (?)", (event.subject,))  # written before it fails
        attempts[event.subject] = attempts.get(event.subject, 0) + 1
        if event.subject == "f-2" and attempts["f-2"] == 1:
            raise RuntimeError("the database was busy")

    config = ConsumerConfig(KafkaAccess("unused:1"), "g", "qingpu", "unit", Domain.FILING, first_backoff=0.0)
    store = Store(tmp_path / "s.sqlite3", [("unit", "CREATE TABLE applied (id TEXT)")])
    consumer, stop = ConsumerRunner(config, store, handle, lambda: None), threading.Event()
    jiashan, wujiang = TopicPartition("jiashan.filing", 0), TopicPartition("wujiang.filing", 1)
    batch = {jiashan: records_of(jiashan, *map(withdrawal, ["f-1", "f-2", "f-3"]))}
    batch[wujiang] = records_of(wujiang, *map(withdrawal, ["w-1", "w-2"]))
    client = OneBatchConsumer(batch, stop)
    monkeypatch.setattr(consumer_module, "assigned_consumer", lambda *args, **kwargs: client)
    consumer._consume(stop)
    with store.connect() as conn:
        rows = sorted(row[0] for row in conn.execute("SELECT id FROM applied"))
    assert rows == ["f-1", "f-2", "f-3", "w-1", "w-2"]  # each once: the failed attempt's row is gone
    assert attempts["f-2"] == 2  # the failure, then its retry on the careful path
    assert client.commits == [{jiashan: OffsetAndMetadata(3, "", -1), wujiang: OffsetAndMetadata(2, "", -1)}]
