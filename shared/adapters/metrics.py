"""Platform metrics. Labels name regions, services, topics, event types and reasons: never a person,
a token or an ID number. Per-domain metrics live with their service."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PUBLISHED = Counter("yrd_events_published_total", "Events confirmed by the broker", ["service", "region", "type"])
PUBLISH_FAILURES = Counter("yrd_publish_failures_total", "Outbox publish attempts that failed", ["service", "region"])
OUTBOX_BACKLOG = Gauge("yrd_outbox_backlog", "Outbox rows not yet confirmed by the broker", ["service", "region"])
CONSUMED = Counter(
    "yrd_events_consumed_total", "Events applied by a handler (duplicates not counted)", ["service", "region", "type"]
)
DUPLICATES = Counter("yrd_events_duplicate_total", "Redelivered events skipped", ["service", "region"])
DEAD_LETTERED = Counter("yrd_events_dead_lettered_total", "Records sent to a DLQ", ["service", "region", "reason"])
HANDLER_RETRIES = Counter("yrd_handler_retries_total", "Transient handler failures retried", ["service", "region"])
HANDLER_SECONDS = Histogram(
    "yrd_handler_seconds",
    "Time to handle one event, store write included",
    ["service", "region"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
EVENT_DELAY = Histogram(
    "yrd_event_delay_seconds",
    "From an event's time (its region wrote it) until it was applied here, committed: cross-region freshness",
    ["service", "region", "source"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
CONSUMER_LAG = Gauge(
    "yrd_consumer_lag", "Records behind the high watermark, summed per topic", ["service", "region", "topic"]
)
READY = Gauge(
    "yrd_ready",
    "1 while a readiness check passes (store, workers, kafka), as /readyz sees it",
    ["service", "region", "check"],
)
HEAP_FROZEN = Gauge(
    "yrd_heap_frozen_objects",
    "Objects the garbage collector no longer walks (start-up, frozen as the instance starts and once caught up)",
    ["service", "region"],
)
KAFKA_UP = Gauge("yrd_kafka_up", "1 while this instance reaches its broker, 0 while it does not", ["service", "region"])
COMMANDS = Counter(
    "yrd_commands_total",
    "Agency commands answered, by way in (kafka, bulk) and the status their result carries",
    ["service", "region", "via", "type", "status"],
)
HTTP_REQUESTS = Counter("yrd_http_requests_total", "HTTP requests", ["service", "region", "route", "status"])
HTTP_SECONDS = Histogram("yrd_http_seconds", "HTTP request time", ["service", "region", "route"])
