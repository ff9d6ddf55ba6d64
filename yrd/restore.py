"""`yrd restore`: put a backup (yrd/backup.py) back in place of an instance's store, and catch it up from
the topics so it knows what happened after the backup (docs/backup.md).

Catching up: the consumer group's committed offsets are past the backup point, so the instance alone
would never see what it applied after the copy was taken. The restore therefore replays, itself, every
region's topic of the service from where the backup stands (the group's offsets recorded in the
manifest, or the first record at `taken_at` minus a margin, whichever is earlier) up to the group's
committed offsets now, through the service's own handlers and without reactions, exactly as
`yrd rebuild` does (what those reactions emitted is on the topics already). Records past the committed
offsets were never handled by anyone: the instance handles them when it starts, reactions and all. So
the group's offsets stay as they are, and nothing the instance decided is decided twice; the agency
commands' group is left alone too (a command's effects are events on the topic, replayed here).
Then the audit chain gets back the entries published after the backup (from `{region}.audit`), and
docket and certificate sequences continue from the highest number given out.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from shared.adapters import audit
from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.audit_topic import published_entries
from shared.adapters.schema import SHARED_MIGRATIONS
from shared.adapters.stores import rename_schema, set_aside_file, set_aside_schema
from shared.contracts.audit import AuditEntry
from shared.contracts.regions import Domain
from shared.contracts.topics import all_regions_topics, topic
from shared.core.settings import Settings
from yrd.backup import (
    SQLITE,
    BackupError,
    Manifest,
    backend_of,
    check_integrity,
    pg_binary,
    read_manifest,
    run_pg,
)
from yrd.rebuild import RebuildReport, replay_batches
from yrd.registry import SERVICES

# How far before the backup's time the replay starts when the manifest has no offsets: a record produced
# before the copy but applied after it (a consumer lagging) is still read. Re-reading is harmless.
SAFETY_MARGIN = timedelta(minutes=10)


@dataclass
class RestoreReport:
    manifest: Manifest
    replayed: RebuildReport = field(default_factory=RebuildReport)
    records_read: int = 0
    audit_tail: int = 0
    audit_entries: int = 0
    audit_ok: bool = False
    audit_problem: str | None = None
    sequences: int = 0
    moved_aside: str | None = None  # the replaced SQLite file, or PostgreSQL schema, kept
    seconds: float = 0.0


def _key(partition: TopicPartition) -> str:
    return f"{partition.topic}:{partition.partition}"


def _partitions(consumer: KafkaConsumer, topics: list[str]) -> list[TopicPartition]:
    return [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or [])]


def committed_offsets(kafka: KafkaAccess, group_id: str, topics: list[str]) -> dict[str, int]:
    """The group's committed offset of each partition of `topics` that has one ("topic:partition" -> next)."""
    consumer = KafkaConsumer(**kafka.config(), group_id=group_id, enable_auto_commit=False, bootstrap_timeout_ms=10000)
    try:
        found = {}
        for partition in _partitions(consumer, topics):
            offset = consumer.committed(partition)
            if offset is not None:
                found[_key(partition)] = offset
        return found
    finally:
        consumer.close(autocommit=False)


def service_topics(settings: Settings) -> list[str]:
    """What the instance's consumer reads: every region's topic of its service's domain."""
    return all_regions_topics(settings.service, settings.topic_prefix)


def replay_range(
    kafka: KafkaAccess, manifest: Manifest, topics: list[str], ends: dict[str, int]
) -> Iterator[list[ConsumerRecord]]:
    """The records from where the backup stands to `ends` (the group's committed offsets now), in batches."""
    consumer = KafkaConsumer(
        **kafka.config(), enable_auto_commit=False, isolation_level="read_committed", bootstrap_timeout_ms=10000
    )
    try:
        partitions = [tp for tp in _partitions(consumer, topics) if _key(tp) in ends]
        since = int((manifest.taken_at - SAFETY_MARGIN).timestamp() * 1000)
        by_time = consumer.offsets_for_times({tp: since for tp in partitions}) if partitions else {}
        starts = {}
        for tp in partitions:
            at_time = by_time[tp].offset if by_time.get(tp) is not None else ends[_key(tp)]
            recorded = (manifest.committed_offsets or {}).get(_key(tp), at_time)
            if min(at_time, recorded) < ends[_key(tp)]:
                starts[tp] = min(at_time, recorded)
        if not starts:
            return
        consumer.assign(list(starts))
        for tp, offset in starts.items():
            consumer.seek(tp, offset)
        while any(consumer.position(tp) < ends[_key(tp)] for tp in starts):
            for partition, batch in consumer.poll(timeout_ms=500, max_records=1000).items():
                yield [r for r in batch if r.offset < ends[_key(partition)]]
    finally:
        consumer.close(autocommit=False)


def known_migrations(settings: Settings) -> set[str]:
    return {name for name, _ in [*SHARED_MIGRATIONS, *SERVICES[settings.service].migrations]}


def check_fits(settings: Settings, manifest: Manifest) -> None:
    """The backup is of this instance and this code can read it."""
    if (manifest.region, manifest.service) != (settings.region.value, settings.service.value):
        raise BackupError(f"the backup is of {manifest.region} {manifest.service}, not this instance")
    if manifest.backend != backend_of(settings):
        raise BackupError(f"the backup is of a {manifest.backend} store; this instance's is {backend_of(settings)}")
    unknown = sorted(set(manifest.migrations) - known_migrations(settings))
    if unknown:
        raise BackupError(f"the backup has migrations this yrd does not know (a newer version's): {unknown}")


def put_back_sqlite(file: Path, db_path: Path) -> Path | None:
    """Replace the database file with the backup: copied aside and checked, then renamed into place; the
    old file and its WAL are kept beside it (renamed together, so the kept copy stays whole)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    aside = db_path.with_name(f".{db_path.name}.restoring")
    with open(file, "rb") as source, open(aside, "wb") as target:
        while chunk := source.read(1 << 20):
            target.write(chunk)
        target.flush()
        os.fsync(target.fileno())
    try:
        with closing(sqlite3.connect(aside)) as conn:
            check_integrity(conn, file)
    except (BackupError, sqlite3.DatabaseError) as error:
        aside.unlink(missing_ok=True)
        raise BackupError(f"{file} is no sound SQLite database: {error}") from None
    # The old file goes with its WAL: a stale WAL beside the new file would be read as part of it.
    moved = set_aside_file(db_path, f"pre-restore-{int(time.time())}")
    os.replace(aside, db_path)
    return moved


def put_back_postgresql(file: Path, url: str, schema: str) -> str | None:
    """Rename the instance's schema aside (kept, as the SQLite file is), then `pg_restore` the archive's
    schema in one transaction; if that fails, the old schema gets its name back. Answers the kept name.
    (Not `--clean`: tables a newer version added since the backup would keep the schema from being dropped.)"""
    kept = set_aside_schema(url, schema, f"pre_restore_{int(time.time())}")
    try:
        command = [pg_binary("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner"]
        run_pg([*command, "--dbname", url, str(file)])  # the archive holds the one schema
    except BackupError:
        if kept is not None:
            rename_schema(url, kept, schema)
        raise
    return kept


def catch_up_audit(conn: sqlite3.Connection, entries: list[AuditEntry]) -> int:
    """Append the published entries past the local chain's head; count as published what the topic has
    (entries of the backup never published stay unpublished: the instance publishes them)."""
    head = conn.execute("SELECT coalesce(max(idx), 0) FROM audit_log").fetchone()[0]
    tail = [entry for entry in entries if entry.index > head]
    for entry in tail:
        audit.restore(conn, entry)
    if entries:
        published = min(entries[-1].index, max(head, tail[-1].index if tail else 0))
        conn.execute("UPDATE audit_published SET idx = max(idx, ?)", (published,))
    return len(tail)


def restore(settings: Settings, file: Path, on_records: Callable[[int], None] = lambda count: None) -> RestoreReport:
    """Put the backup in `file` back as the instance's store and catch it up. The instance must be stopped."""
    started = time.monotonic()
    manifest = read_manifest(file)
    check_fits(settings, manifest)
    report = RestoreReport(manifest)
    topics = service_topics(settings)
    try:  # before the store is touched: without the broker there is nothing to catch up from
        ends = committed_offsets(settings.kafka, settings.group_id, topics)
    except Exception as error:
        raise BackupError(f"the broker cannot be asked for the consumer group's offsets ({error!r})") from None
    if manifest.backend == SQLITE:
        moved = put_back_sqlite(file, settings.db_path)
        report.moved_aside = str(moved) if moved else None
    else:
        report.moved_aside = put_back_postgresql(file, str(settings.store_url), settings.store_schema)
    declared = SERVICES[settings.service]
    runtime = declared.instance(settings).runtime  # opening it applies this version's newer migrations

    def counted(count: int) -> None:
        report.records_read += count
        on_records(count)

    runtime.replaying = True
    try:
        replay_batches(runtime, replay_range(settings.kafka, manifest, topics, ends), report.replayed, counted)
        audit_topic = topic(settings.region, Domain.AUDIT, settings.topic_prefix)
        entries = published_entries(settings.kafka, audit_topic, settings.source)
    except Exception as error:  # the broker went away midway: what was applied stays, and is skipped next time
        runtime.store.close()
        raise BackupError(f"the backup is in place but not caught up ({error!r}): run the restore again") from None
    with runtime.store.transaction() as conn:
        report.audit_tail = catch_up_audit(conn, entries)
        if declared.restore is not None:
            report.sequences = declared.restore(conn, settings.region.value)
    with runtime.store.read() as conn:
        chain = audit.verify(conn, {entry.index: entry.hash for entry in entries})
    report.audit_entries, report.audit_ok, report.audit_problem = chain.entries, chain.ok, chain.problem
    runtime.store.close()
    report.seconds = time.monotonic() - started
    return report


def describe(report: RestoreReport) -> list[str]:
    manifest = report.manifest
    applied = ", ".join(f"{n} from {region}" for region, n in sorted(report.replayed.applied.items())) or "none"
    lines = [
        f"restored {manifest.region} {manifest.service} ({manifest.backend}) from the backup taken at "
        f"{manifest.taken_at.isoformat()} in {report.seconds:.1f}s",
        f"caught up from the topics: {report.records_read} records read, events applied: {applied}",
        f"audit chain: {report.audit_tail} entries published after the backup added; "
        + (f"{report.audit_entries} entries, intact" if report.audit_ok else f"BROKEN: {report.audit_problem}"),
        f"sequences continued: {report.sequences}",
    ]
    if report.replayed.poison:
        lines.append(f"skipped {report.replayed.poison} records no handler can read (see the dead-letter topics)")
    if report.moved_aside:
        lines.append(f"the previous store was kept as {report.moved_aside}")
    return lines
