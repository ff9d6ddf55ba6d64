"""Kafka part of `make bench`: raw kafka-python rates against the shared library's, in one run.

- raw produce: pre-serialised 1 KB JSON values, acks=all + idempotence, until flushed;
- raw consume: a plain consumer reading them back;
- library produce: validate a ~1 KB event (pydantic) + one store transaction with its outbox row per
  event, then the relay publishing until the outbox is drained (what an API write costs end to end);
- library consume: the consumer runner: decode + validate + handler + processed-id in one transaction
  per event + offset commits, until every event is processed.
"""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import lz4.frame
import orjson
import zstandard
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.admin import provision
from shared.adapters.kafka.consumer import ConsumerConfig, ConsumerRunner
from shared.adapters.kafka.producer import make_producer
from shared.adapters.outbox import OutboxRelay, wait_until_drained
from shared.adapters.store import Store
from shared.contracts import filing as ev
from shared.contracts.regions import Domain, Region
from shared.contracts.topics import TopicSpec, catalogue
from shared.core.uow import UnitOfWork


def payload(i: int) -> ev.Submitted:
    return ev.Submitted(
        filing_id=f"bench-{i}",
        version=1,
        receiving_region="jiashan",
        court_region="qingpu",
        case_type="civil",
        parties=[
            ev.MaskedParty(role="plaintiff", kind="person", name="张*", identifier="330421********123X"),
            ev.MaskedParty(
                role="defendant", kind="organisation", name="上海青浦某贸易有限公司", identifier="91350100M000100Y43"
            ),
        ],
        claim_summary="买卖合同纠纷，请求判令被告支付货款及逾期付款利息。" * 4,
        claim_amount="128000.00",
        documents=[{"name": f"证据{k}.pdf", "sha256": "ab" * 32} for k in range(3)],
        submitted_at=datetime.now(UTC),
        filed_by="bench",
    )


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def raw_produce(kafka: KafkaAccess, topic_name: str, values: list[bytes], compression: str | None = None) -> float:
    producer = make_producer(kafka, compression_type=compression)
    started = time.perf_counter()
    for i, value in enumerate(values):
        producer.send(topic_name, key=f"bench-{i}".encode(), value=value)
    producer.flush()
    elapsed = time.perf_counter() - started
    producer.close()
    return rate(len(values), elapsed)


def raw_consume(kafka: KafkaAccess, topic_name: str, count: int) -> float:
    consumer = KafkaConsumer(**kafka.config(), enable_auto_commit=False, max_poll_records=500)
    partitions = [TopicPartition(topic_name, p) for p in consumer.partitions_for_topic(topic_name)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    seen, started = 0, time.perf_counter()
    while seen < count:
        for batch in consumer.poll(timeout_ms=500).values():
            seen += sum(len(r.value) > 0 for r in batch)
    elapsed = time.perf_counter() - started
    consumer.close()
    return rate(count, elapsed)


def library_produce(kafka: KafkaAccess, prefix: str, store: Store, count: int) -> float:
    relay = OutboxRelay(store, lambda: make_producer(kafka), {"service": "bench", "region": "jiashan"}, 0.01)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    started = time.perf_counter()
    for i in range(count):
        data = ev.Submitted.model_validate(payload(i).model_dump())  # what an API write validates
        with store.transaction() as conn:
            UnitOfWork(conn, Region.JIASHAN, "/yrd/jiashan/filing", prefix, "bench").emit(
                ev.SUBMITTED, data.filing_id, data
            )  # the store wakes the relay once this commits
    assert wait_until_drained(store, timeout=600)
    elapsed = time.perf_counter() - started
    stop.set()
    relay.notify()
    thread.join()
    return rate(count, elapsed)


def library_consume(kafka: KafkaAccess, prefix: str, store: Store, count: int) -> float:
    def handle(conn, event) -> None:
        conn.execute(
            "INSERT INTO bench_read_model(id, body) VALUES (?, ?)",
            (event.subject, orjson.dumps(event.data.model_dump(mode="json"))),
        )

    config = ConsumerConfig(
        kafka=kafka,
        group_id=f"{prefix}bench",
        region="qingpu",
        service="bench",
        domain=Domain.FILING,
        topic_prefix=prefix,
    )
    runner = ConsumerRunner(config, store, handle, lambda: make_producer(kafka))
    stop = threading.Event()
    started = time.perf_counter()
    thread = threading.Thread(target=runner.run, args=(stop,), daemon=True)
    thread.start()
    conn = store.connect()
    while conn.execute("SELECT count(*) FROM bench_read_model").fetchone()[0] < count:
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    stop.set()
    thread.join()
    return rate(count, elapsed)


def measure(kafka: KafkaAccess, events: int) -> dict[str, float]:
    """Raw and library rates, in events per second, measured one after the other in this run."""
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    raw_topic = f"{prefix}raw"
    provision(kafka, [*catalogue(prefix), TopicSpec(raw_topic, 3, {})])
    values = [orjson.dumps(payload(i).model_dump(mode="json")) for i in range(events)]
    workdir = Path(tempfile.mkdtemp(prefix="yrd-bench-"))
    try:
        raw_out = raw_produce(kafka, raw_topic, values)
        compressed = {codec: raw_produce(kafka, raw_topic, values, codec) for codec in ("lz4", "zstd")}
        batch = b"".join(values[:200])  # what one producer batch of these events holds, roughly
        ratios = {
            "lz4": len(lz4.frame.compress(batch)) / len(batch),
            "zstd": len(zstandard.compress(batch)) / len(batch),
        }
        raw_in = raw_consume(kafka, raw_topic, events)
        lib_out = library_produce(kafka, prefix, Store(workdir / "out.sqlite3"), events)
        read_model = [("bench", "CREATE TABLE bench_read_model (id TEXT PRIMARY KEY, body BLOB)")]
        lib_in = library_consume(kafka, prefix, Store(workdir / "in.sqlite3", read_model), events)
    finally:
        admin = KafkaAdminClient(**kafka.config())
        admin.delete_topics([s.name for s in catalogue(prefix)] + [raw_topic], raise_errors=False)
        admin.close()
    return {
        "events": events,
        "event_bytes": sum(map(len, values)) / len(values),
        "raw_produce": raw_out,
        **{f"raw_produce_{codec}": value for codec, value in compressed.items()},
        **{f"compressed_size_{codec}": ratio for codec, ratio in ratios.items()},
        "raw_consume": raw_in,
        "library_produce": lib_out,
        "library_consume": lib_in,
    }
