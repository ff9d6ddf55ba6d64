"""Which store an instance or a tool opens: PostgreSQL when a `postgresql://` URL is given (each instance
in its own schema), SQLite at the instance's file otherwise (the default)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shared.adapters.schema import Migration
from shared.adapters.store import Store

PG_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(url: str | None) -> bool:
    return bool(url) and str(url).startswith(PG_SCHEMES)


def open_store(where: Any, migrations: Sequence[Migration] = (), schema: str | None = None) -> Store:
    """`where`: an instance's settings (their `store_url`, `store_schema` and `db_path`), a PostgreSQL URL
    (with `schema`), or a SQLite file's path."""
    if isinstance(where, str | Path):
        url, path = str(where), where
    else:
        url, path, schema = where.store_url, where.db_path, schema or where.store_schema
    if is_postgres(url):
        from shared.adapters.pg.store import PgStore  # psycopg is needed only here

        if schema is None:
            raise ValueError("a PostgreSQL store needs its schema")
        return PgStore(url, schema, migrations)
    return Store(path, migrations)


def store_exists(settings: Any) -> bool:
    """For tools that only read a store: is there one to read? (A PostgreSQL schema is made on opening.)"""
    return is_postgres(settings.store_url) or Path(settings.db_path).exists()


def set_aside(settings: Any, label: str) -> str | None:
    """Move an instance's store out of the way (a rebuild or a restore puts another in its place): the SQLite
    file with its WAL renamed `{name}.{label}`, or the PostgreSQL schema renamed `{schema}_{label}`. What
    it was renamed to, or None if there was no store."""
    if is_postgres(settings.store_url):
        return set_aside_schema(settings.store_url, settings.store_schema, label)
    moved = set_aside_file(Path(settings.db_path), label)
    return str(moved) if moved else None


def set_aside_file(path: Path, label: str) -> Path | None:
    """The SQLite file renamed `{name}.{label}`, its WAL with it (what was committed but not yet copied back
    into the file is in the WAL: the kept copy stays whole); the shared-memory index is only dropped."""
    if not path.exists():
        return None
    moved = path.with_name(f"{path.name}.{label}")
    os.replace(path, moved)
    wal = Path(f"{path}-wal")
    if wal.exists():
        os.replace(wal, Path(f"{moved}-wal"))
    Path(f"{path}-shm").unlink(missing_ok=True)
    return moved


def set_aside_schema(url: str, schema: str, label: str) -> str | None:
    """The PostgreSQL schema renamed `{schema}_{label}` (a label's dashes as underscores)."""
    aside = f"{schema}_{label}".replace("-", "_")
    return aside if rename_schema(url, schema, aside) else None


def rename_schema(url: str, schema: str, to: str) -> bool:
    """`schema` renamed `to`, if there is one; whether there was."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is None:
            return False
        conn.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(schema), sql.Identifier(to)))
    return True
