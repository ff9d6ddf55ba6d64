"""The consumer runner's bookkeeping, without a broker: duplicates are skipped and counted apart from
applied events, and a commit refused by a rebalance is not a failure."""

from __future__ import annotations

from kafka.errors import CommitFailedError, RebalanceInProgressError
from prometheus_client import REGISTRY

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.consumer import ConsumerConfig, ConsumerRunner
from shared.adapters.store import Store
from shared.contracts import filing as ev
from shared.contracts.envelope import Event
from shared.contracts.regions import Domain, Region
from tests.integration.test_platform import withdrawn

LABELS = {"service": "unit", "region": "qingpu"}


def runner(tmp_path, seen: list[str]) -> ConsumerRunner:
    config = ConsumerConfig(
        kafka=KafkaAccess("unused:1"), group_id="g", region="qingpu", service="unit", domain=Domain.FILING
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


class RebalancingConsumer:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def commit(self, offsets) -> None:
        raise self.error


def test_a_commit_refused_by_a_rebalance_does_not_tear_the_consumer_down(tmp_path):
    consumer = runner(tmp_path, [])
    for error in (RebalanceInProgressError(), CommitFailedError()):
        consumer._commit(RebalancingConsumer(error), {})  # returns: the records come back and are skipped by id
