"""`yrd rebuild`: a region whose store is lost gets its read models back from the topics.

Every region's topic of the service's domain is read from its beginning (the topics keep everything:
`retention.ms=-1`) and each event is applied through the service's own handler, exactly as the
consumer would, but without reactions (`replaying`): what the owner decided is on the topics already.
The region's audit chain comes back from `{region}.audit`, and docket and certificate sequences continue
from the highest number given out. The instance's consumer group keeps its offsets, so on restart it
resumes where it was and skips, by event id, what the rebuild already applied.

What never rides on a topic cannot come back from one: the personal detail the owning region keeps
(full party identities, subjects' full records, applicants' and proof subjects' ID numbers) and
idempotency keys. Those need a backup of the store; the report says so.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kafka.consumer.fetcher import ConsumerRecord

from shared.adapters import audit
from shared.adapters.kafka.audit_topic import published_entries
from shared.adapters.kafka.replay import read_to_end
from shared.adapters.stores import set_aside
from shared.contracts.envelope import PoisonMessage
from shared.contracts.regions import Domain
from shared.contracts.topics import all_regions_topics, topic
from shared.core.settings import Settings
from shared.entrypoints.runtime import Runtime
from yrd.registry import SERVICES

NOT_ON_TOPICS = "personal detail held only by this region (restore it from a backup of the store)"


@dataclass
class RebuildReport:
    applied: Counter[str] = field(default_factory=Counter)
    poison: int = 0
    audit_entries: int = 0
    sequences: int = 0
    seconds: float = 0.0
    moved_aside: str | None = None  # the SQLite file or PostgreSQL schema the old store was moved to


def rebuild(settings: Settings, on_records: Callable[[int], None] = lambda count: None) -> RebuildReport:
    """Move the instance's store aside (if any), build a fresh one from the topics. The instance must be
    stopped: it is this process that writes the store meanwhile. `on_records` hears of each batch read."""
    started = time.monotonic()
    report = RebuildReport()
    report.moved_aside = set_aside(settings, f"pre-rebuild-{int(time.time())}")  # the file, or the schema
    service = settings.service
    declared = SERVICES[service]
    runtime = declared.instance(settings).runtime
    runtime.replaying = True
    batches = read_to_end(settings.kafka, all_regions_topics(service, settings.topic_prefix))
    replay_batches(runtime, batches, report, on_records)
    audit_topic = topic(settings.region, Domain.AUDIT, settings.topic_prefix)
    entries = published_entries(settings.kafka, audit_topic, settings.source)
    with runtime.store.transaction() as conn:
        for entry in entries:
            audit.restore(conn, entry)
        audit.mark_published(conn)  # read from the topic: not to be published again
        if declared.restore is not None:
            report.sequences = declared.restore(conn, settings.region.value)
    report.audit_entries = len(entries)
    report.seconds = time.monotonic() - started
    runtime.store.close()
    return report


def replay_batches(
    runtime: Runtime, batches: Iterable[list[ConsumerRecord]], report: RebuildReport, on_records: Callable[[int], None]
) -> None:
    """Apply records as the consumer would, without reactions (the caller sets `runtime.replaying`: what
    they emitted is on the topics already); what was applied here already is skipped by its id. Also how
    `yrd restore` catches a restored store up (yrd/restore.py)."""
    for batch in batches:
        events = []
        for record in batch:
            try:
                events.append(runtime.consumer.read(record.topic, record.key, record.value, record.headers))
            except PoisonMessage:
                report.poison += 1  # it is in the dead-letter topic already
        with runtime.store.transaction() as conn:
            for event in events:
                if runtime.consumer.apply_in(conn, event):
                    report.applied[event.region.value] += 1  # (one transaction per batch: a tool, alone)
        on_records(len(batch))


def describe(report: RebuildReport, service: Domain) -> list[str]:
    lines = [
        f"rebuilt {service.value} in {report.seconds:.1f}s: "
        + ", ".join(f"{n} events from {region}" for region, n in sorted(report.applied.items())),
        f"audit chain: {report.audit_entries} entries restored from the audit topic",
        f"sequences continued: {report.sequences}",
    ]
    if report.poison:
        lines.append(f"skipped {report.poison} records no handler can read (see the dead-letter topics)")
    if report.moved_aside:
        lines.append(f"the previous store was kept as {report.moved_aside}")
    lines.append(f"not rebuilt: {NOT_ON_TOPICS}")
    return lines
