"""`yrd backup`: a consistent copy of one instance's store, taken while the instance serves, and the
manifest beside it that `yrd restore` (yrd/restore.py) needs to put it back and catch it up.

SQLite: the online backup API copies the database in one step, inside one read transaction (WAL mode:
the instance's writes go on meanwhile and are simply not in the copy), into a file written aside and
renamed into place once `PRAGMA integrity_check` passes on it. PostgreSQL: `pg_dump --format=custom` of
the instance's schema, which is one repeatable-read snapshot by itself.

The manifest (`FILE.manifest.json`) says what the copy is and when it was taken: the store's migrations,
the audit chain's length and head, and the consumer group's committed offsets at that moment, from
where a restore replays the topics (docs/backup.md).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from shared.adapters.stores import is_postgres
from shared.core.settings import Settings

SQLITE, POSTGRESQL = "sqlite", "postgresql"
MANIFEST_VERSION = 1


class BackupError(Exception):
    """The backup or the restore could not be done; the message says why."""


class Manifest(BaseModel):
    """What a backup file holds and when it was taken (written beside it as JSON)."""

    version: int = MANIFEST_VERSION
    region: str
    service: str
    backend: str
    taken_at: datetime  # when the copy's snapshot began: nothing applied after this is in it
    file_sha256: str
    migrations: list[str]
    audit_entries: int
    audit_head_hash: str | None
    group_id: str
    # The group's committed offsets when the copy began ("topic:partition" -> next offset): every record
    # before them was applied before the snapshot, so a restore replays from here (or earlier).
    committed_offsets: dict[str, int] | None = None


def manifest_path(file: Path) -> Path:
    return file.with_name(file.name + ".manifest.json")


def write_manifest(file: Path, manifest: Manifest) -> Path:
    path = manifest_path(file)
    aside = path.with_name(path.name + ".partial")
    aside.write_text(manifest.model_dump_json(indent=2) + "\n")
    os.replace(aside, path)
    return path


def read_manifest(file: Path) -> Manifest:
    path = manifest_path(file)
    if not path.exists():
        raise BackupError(f"no manifest beside the backup: {path} (a backup is the file and its manifest)")
    manifest = Manifest.model_validate_json(path.read_text())
    if manifest.version != MANIFEST_VERSION:
        raise BackupError(f"manifest version {manifest.version}, this yrd reads {MANIFEST_VERSION}")
    if sha256_of(file) != manifest.file_sha256:
        raise BackupError(f"{file} is not the file its manifest describes (its checksum differs)")
    return manifest


def sha256_of(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def backend_of(settings: Settings) -> str:
    """PostgreSQL when the instance's store URL names it (YRD_STORE_URL), else the SQLite file."""
    return POSTGRESQL if is_postgres(settings.store_url) else SQLITE


def pg_binary(name: str) -> str:
    """A PostgreSQL client program: on PATH, else where `pg_config` or Debian's 15 keeps it."""
    if found := shutil.which(name):
        return found
    candidates = [Path("/usr/lib/postgresql/15/bin")]
    if pg_config := shutil.which("pg_config"):
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip()
        candidates.insert(0, Path(bindir))
    for directory in candidates:
        if (directory / name).exists():
            return str(directory / name)
    raise BackupError(f"{name} not found (PostgreSQL's client programs: apt-get install postgresql-client)")


def chain_facts(conn: sqlite3.Connection | object) -> tuple[list[str], int, str | None]:
    """The store's migrations, the audit chain's length and head hash (any DB-API connection)."""
    cursor = conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("SELECT name FROM schema_migrations ORDER BY name")
    migrations = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT count(*) FROM audit_log")
    entries = cursor.fetchone()[0]
    cursor.execute("SELECT hash FROM audit_log ORDER BY idx DESC LIMIT 1")
    head = cursor.fetchone()
    return migrations, entries, head[0] if head else None


@contextmanager
def written_aside(target: Path) -> Iterator[Path]:
    """A path beside `target` to write to; renamed onto `target` only if the block finishes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = target.with_name(f".{target.name}.partial")
    aside.unlink(missing_ok=True)
    try:
        yield aside
        os.replace(aside, target)
    finally:
        aside.unlink(missing_ok=True)


def backup_sqlite(db_path: Path, target: Path) -> tuple[list[str], int, str | None]:
    """Copy the live database into `target` (consistent: one read transaction), check the copy, and answer
    its migrations, audit chain length and head."""
    if not db_path.exists():
        raise BackupError(f"no store at {db_path}")
    with (
        written_aside(target) as aside,  # renamed into place after both connections are closed
        closing(sqlite3.connect(db_path, timeout=30)) as source,
        closing(sqlite3.connect(aside)) as copy,
    ):
        source.execute("PRAGMA busy_timeout=30000")
        # pages=-1: the whole database in one step, so in one snapshot; in steps, every write the
        # instance commits in between would make SQLite start the copy again.
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        check_integrity(copy, target)
        facts = chain_facts(copy)
    return facts


def check_integrity(conn: sqlite3.Connection, name: Path) -> None:
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
    if problems != ["ok"]:
        raise BackupError(f"{name} fails its integrity check: {'; '.join(problems[:5])}")


def backup_postgresql(url: str, schema: str, target: Path) -> tuple[list[str], int, str | None]:
    """`pg_dump` the instance's schema into `target` (one snapshot), and answer its migrations, audit chain
    length and head as of that dump (read back from the dump's own snapshot would need the archive restored;
    read here in a repeatable-read transaction exported to pg_dump instead)."""
    import psycopg

    with psycopg.connect(url, autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        conn.execute(f'SET search_path TO "{schema}"')
        facts = chain_facts(conn)
        with written_aside(target) as aside:
            command = [pg_binary("pg_dump"), "--format=custom", f"--schema={schema}", f"--snapshot={snapshot}"]
            run_pg([*command, f"--file={aside}", "--dbname", url])
        conn.rollback()
    return facts


def run_pg(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def take(settings: Settings, target: Path, committed: dict[str, int] | None) -> Manifest:
    """Back up the instance's store to `target` and write its manifest beside it. `committed`: the
    consumer group's offsets read just before (restore.committed_offsets), or None if the broker was away."""
    backend = backend_of(settings)
    taken_at = datetime.now(UTC)
    if backend == SQLITE:
        migrations, entries, head = backup_sqlite(settings.db_path, target)
    else:
        migrations, entries, head = backup_postgresql(str(settings.store_url), settings.store_schema, target)
    manifest = Manifest(
        region=settings.region.value,
        service=settings.service.value,
        backend=backend,
        taken_at=taken_at,
        file_sha256=sha256_of(target),
        migrations=migrations,
        audit_entries=entries,
        audit_head_hash=head,
        group_id=settings.group_id,
        committed_offsets=committed,
    )
    write_manifest(target, manifest)
    return manifest
