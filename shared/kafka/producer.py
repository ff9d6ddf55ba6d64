"""The one way this project builds a producer: acks=all with idempotence, so a confirmed send is durable
and a retried one is not doubled by the broker."""

from __future__ import annotations

from typing import Any

from kafka import KafkaProducer


def make_producer(bootstrap: str, **overrides: Any) -> KafkaProducer:
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 2,
        "batch_size": 64 * 1024,
        # While the broker is away, fail fast into the caller's own retry loop instead of blocking a minute.
        "max_block_ms": 5000,
        "request_timeout_ms": 10000,
        "delivery_timeout_ms": 20000,
        "reconnect_backoff_max_ms": 2000,
    }
    config.update(overrides)
    return KafkaProducer(**config)
