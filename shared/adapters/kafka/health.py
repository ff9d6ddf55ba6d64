"""What this instance knows of its broker connection, told once per change: one WARNING when Kafka goes
away, one INFO when it is back (with how long it was away), and the `yrd_kafka_up` gauge. The relay, the
consumer and the readiness probe all report here instead of logging every failed attempt."""

from __future__ import annotations

import logging
import threading
import time

from shared.adapters import metrics

log = logging.getLogger("shared.adapters.kafka")


class BrokerHealth:
    def __init__(self, labels: dict[str, str]) -> None:
        self._labels = labels
        self._lock = threading.Lock()
        self._up = True
        self._down_since = 0.0
        metrics.KAFKA_UP.labels(**labels).set(1)

    @property
    def up(self) -> bool:
        return self._up

    def report(self, up: bool, by: str, error: BaseException | None = None) -> None:
        with self._lock:
            if up == self._up:
                return
            self._up = up
            metrics.KAFKA_UP.labels(**self._labels).set(1 if up else 0)
            if up:
                away = time.monotonic() - self._down_since
                log.info("kafka reachable again", extra={"noticed_by": by, "away_seconds": round(away, 1)})
            else:
                self._down_since = time.monotonic()
                log.warning(
                    "kafka unreachable; writes are kept in the outbox and retried",
                    extra={"noticed_by": by, "error": type(error).__name__ if error else None},
                )
