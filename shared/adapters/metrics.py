"""Platform metrics. Labels name regions, services, topics, event types and reasons: never a person,
a token or an ID number. Per-domain metrics live with their service.

An instance served by several processes (`yrd serve --processes N`) keeps its values in prometheus-client's
multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`, set by the supervisor, yrd/processes.py), and a scrape,
whichever process answers it, shows the instance: counters and histograms summed over its processes (the
dead ones' counts included), the gauges below by their `multiprocess_mode`. The services' gauges count
what is in the store and are refreshed by the answering process just before it answers (Runtime.
refresh_gauges): a scrape shows that process's values, which are the instance's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Metric, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

PUBLISHED = Counter("yrd_events_published_total", "Events confirmed by the broker", ["service", "region", "type"])
PUBLISH_FAILURES = Counter("yrd_publish_failures_total", "Outbox publish attempts that failed", ["service", "region"])
OUTBOX_BACKLOG = Gauge(
    "yrd_outbox_backlog",
    "Outbox rows not yet confirmed by the broker",
    ["service", "region"],
    multiprocess_mode="livemostrecent",  # one outbox: the newest count of it
)
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
    "yrd_consumer_lag",
    "Records behind the high watermark, summed per topic",
    ["service", "region", "topic"],
    multiprocess_mode="livesum",  # each process reads its share of the group's partitions
)
READY = Gauge(
    "yrd_ready",
    "1 while a readiness check passes (store, workers, kafka), as /readyz sees it",
    ["service", "region", "check"],
    multiprocess_mode="livemin",  # ready while every process is
)
HEAP_FROZEN = Gauge(
    "yrd_heap_frozen_objects",
    "Objects the garbage collector no longer walks (start-up, frozen as the instance starts and once caught up)",
    ["service", "region"],
    multiprocess_mode="livesum",
)
KAFKA_UP = Gauge(
    "yrd_kafka_up",
    "1 while this instance reaches its broker, 0 while it does not",
    ["service", "region"],
    multiprocess_mode="livemin",
)
COMMANDS = Counter(
    "yrd_commands_total",
    "Agency commands answered, by way in (kafka, bulk) and the status their result carries",
    ["service", "region", "via", "type", "status"],
)
HTTP_REQUESTS = Counter("yrd_http_requests_total", "HTTP requests", ["service", "region", "route", "status"])
HTTP_SECONDS = Histogram("yrd_http_seconds", "HTTP request time", ["service", "region", "route"])


class _InstanceCollector:
    """The instance's processes' values; of a gauge kept per process (mode "all": the services' gauges),
    the answering process's own, without the `pid` label."""

    def __init__(self, directory: str) -> None:
        self.processes = MultiProcessCollector(None, directory)

    def collect(self) -> Iterator[Metric]:
        me = str(os.getpid())
        for metric in self.processes.collect():
            if metric.type == "gauge" and any("pid" in sample.labels for sample in metric.samples):
                metric.samples = [
                    sample._replace(labels={k: v for k, v in sample.labels.items() if k != "pid"})
                    for sample in metric.samples
                    if sample.labels.get("pid") == me
                ]
            yield metric


def exposition() -> bytes:
    """What /metrics answers: this process's registry or, served by several processes, the instance's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return generate_latest()
    registry = CollectorRegistry()
    registry.register(_InstanceCollector(directory))
    return generate_latest(registry)
