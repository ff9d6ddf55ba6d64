"""Setting a poison record aside: it goes to the consuming region's own `{region}.{domain}.dlq` with
headers saying why and where it came from, so an operator can inspect and replay it. The record must
land there before the consumer's offset moves past it, so publishing retries until it does (or stop)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from kafka import KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord

from shared.adapters import metrics
from shared.adapters.kafka.producer import close_producer

log = logging.getLogger(__name__)


class DeadLetters:
    def __init__(
        self,
        topic: str,
        consumer_group: str,
        producer_factory: Callable[[], KafkaProducer],
        labels: dict[str, str],
        first_backoff: float = 0.2,
        drop_headers: tuple[str, ...] = (),
    ) -> None:
        self.topic = topic
        self.drop_headers = drop_headers  # never copied (a command's bearer token)
        self.consumer_group = consumer_group
        self.producer_factory = producer_factory
        self.labels = labels
        self.first_backoff = first_backoff
        self._producer: KafkaProducer | None = None

    def headers(self, record: ConsumerRecord, reason: str, detail: str) -> list[tuple[str, bytes]]:
        kept = [h for h in (record.headers or []) if not h[0].startswith("dlq_") and h[0] not in self.drop_headers]
        return [
            *kept,
            ("dlq_reason", reason.encode()),
            ("dlq_detail", detail.encode()),
            ("dlq_topic", record.topic.encode()),
            ("dlq_partition", str(record.partition).encode()),
            ("dlq_offset", str(record.offset).encode()),
            ("dlq_consumer", self.consumer_group.encode()),
            ("dlq_time", datetime.now(UTC).isoformat().encode()),
        ]

    def put(self, record: ConsumerRecord, reason: str, detail: str, stop: threading.Event) -> bool:
        """True once the record is in the dead-letter topic; False only if `stop` came first."""
        headers = self.headers(record, reason, detail)
        delay = self.first_backoff
        while True:
            try:
                self._producer = self._producer or self.producer_factory()
                self._producer.send(self.topic, key=record.key, value=record.value, headers=headers).get(timeout=30)
                metrics.DEAD_LETTERED.labels(reason=reason, **self.labels).inc()
                where = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
                log.warning("dead-lettered", extra={"reason": reason, **where})
                return True
            except Exception as error:
                log.warning("dead-letter publish failed, retrying", extra={"error": type(error).__name__})
                self.close(timeout=1)
                if stop.wait(delay):
                    return False
                delay = min(delay * 2, 5.0)

    def close(self, timeout: float = 5) -> None:
        if self._producer is not None:
            close_producer(self._producer, timeout=timeout)
            self._producer = None
