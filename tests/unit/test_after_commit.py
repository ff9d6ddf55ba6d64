"""What is to happen only once work is committed (`after_commit`: a metric of what it decided) happens
then, once, and never for work that was rolled back: a savepoint's, a group commit's failing unit's, or
a run of consumed records undone and done again."""

from __future__ import annotations

import threading

import pytest
from kafka import TopicPartition

from shared.adapters.kafka import consumer as consumer_module
from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.consumer import ConsumerConfig, ConsumerRunner
from shared.adapters.store import Store
from shared.adapters.transactions import after_commit, savepoint
from shared.contracts.regions import Domain
from tests.unit.test_consumer_runner import OneBatchConsumer, records_of, withdrawal


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "s.sqlite3", [("unit", "CREATE TABLE t (v TEXT)")])


def test_an_action_runs_once_the_transaction_commits_and_not_before(store):
    done: list[str] = []

    def work(conn):
        after_commit(conn, lambda: done.append("counted"))
        assert done == []  # not yet: the transaction may still fail
        return "answer"

    assert store.write(work) == "answer" and done == ["counted"]
    store.write(lambda conn: None)
    assert done == ["counted"]  # once: the next transaction does not run it again


def test_a_unit_that_fails_takes_its_actions_with_it_and_the_others_keep_theirs(store):
    done: list[str] = []

    def failing(conn):
        after_commit(conn, lambda: done.append("failing"))
        raise ValueError("refused")

    with store.transaction() as conn:  # one transaction, as a group commit or a bulk chunk runs them
        after_commit(conn, lambda: done.append("before"))
        with pytest.raises(ValueError), savepoint(conn, "unit"):
            failing(conn)
        after_commit(conn, lambda: done.append("after"))
    assert done == ["before", "after"]


def test_a_dry_run_and_a_rolled_back_transaction_run_nothing(store):
    done: list[str] = []
    with store.transaction() as conn, savepoint(conn, "replay", keep=False):
        after_commit(conn, lambda: done.append("dry run"))
    with pytest.raises(RuntimeError), store.transaction() as conn:
        after_commit(conn, lambda: done.append("rolled back"))
        raise RuntimeError("disk full")
    assert done == []


def test_a_failing_action_does_not_undo_the_commit_nor_stop_the_others(store):
    done: list[str] = []

    def work(conn):
        conn.execute("INSERT INTO t(v) VALUES ('kept')")
        after_commit(conn, lambda: 1 / 0)
        after_commit(conn, lambda: done.append("still run"))

    store.write(work)
    assert done == ["still run"]
    assert [tuple(row) for row in store.connect().execute("SELECT v FROM t")] == [("kept",)]


def test_a_run_of_records_undone_and_done_again_counts_each_record_once(tmp_path, monkeypatch):
    counted: list[str] = []
    failed_once: set[str] = set()

    def handle(conn, event) -> None:
        after_commit(conn, lambda: counted.append(event.subject))
        if event.subject == "f-3" and "f-3" not in failed_once:
            failed_once.add("f-3")
            raise RuntimeError("busy")

    config = ConsumerConfig(KafkaAccess("unused:1"), "g", "qingpu", "unit", Domain.FILING, first_backoff=0.0)
    consumer, stop = ConsumerRunner(config, Store(tmp_path / "c.sqlite3"), handle, lambda: None), threading.Event()
    partition = TopicPartition("jiashan.filing", 0)
    client = OneBatchConsumer({partition: records_of(partition, *map(withdrawal, ["f-1", "f-2", "f-3"]))}, stop)
    monkeypatch.setattr(consumer_module, "assigned_consumer", lambda *args, **kwargs: client)
    consumer._consume(stop)
    assert sorted(counted) == ["f-1", "f-2", "f-3"]  # f-1 and f-2 were applied twice, counted once


def test_an_echo_in_a_run_undone_and_done_again_counts_as_one_duplicate(tmp_path, monkeypatch):
    from prometheus_client import REGISTRY

    failed_once: list[bool] = []

    def handle(conn, event) -> None:
        if not failed_once:
            failed_once.append(True)
            raise RuntimeError("busy")

    labels = {"service": "unit-echo", "region": "qingpu"}
    config = ConsumerConfig(KafkaAccess("unused:1"), "g", "qingpu", "unit-echo", Domain.FILING, first_backoff=0.0)
    consumer, stop = ConsumerRunner(config, Store(tmp_path / "e.sqlite3"), handle, lambda: None), threading.Event()
    echo, fresh = withdrawal("f-1"), withdrawal("f-2")
    consumer.store.write(lambda conn: consumer_module.mark_processed(conn, echo.id))  # applied here already
    partition = TopicPartition("jiashan.filing", 0)
    client = OneBatchConsumer({partition: records_of(partition, echo, fresh)}, stop)
    monkeypatch.setattr(consumer_module, "assigned_consumer", lambda *args, **kwargs: client)
    before = REGISTRY.get_sample_value("yrd_events_duplicate_total", labels) or 0
    consumer._consume(stop)
    assert REGISTRY.get_sample_value("yrd_events_duplicate_total", labels) == before + 1
