"""Read-model helpers every service uses: one stored form per value type, owner-versioned upserts that
converge whatever order events arrive in, a timeline per record, and filtered keyset search."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any

import orjson
from pydantic import BaseModel

from shared.adapters.pg.rows import Row
from shared.contracts.envelope import Event
from shared.contracts.pagination import decode_cursor, page


def as_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as a dict. `dict(sqlite3.Row)` looks every column up by name (quadratic in the columns,
    a tenth of a list request's CPU); zipping names with values is linear."""
    return dict(zip(row.keys(), row, strict=True)) if isinstance(row, sqlite3.Row | Row) else dict(row)


def to_db(value: Any) -> Any:
    """One stored form per type, so text comparisons of timestamps order correctly."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return orjson.dumps(value.model_dump(mode="json")).decode()
    if isinstance(value, list | dict):  # JSON as TEXT: SQLite's json functions read a BLOB as JSONB
        return orjson.dumps(value, default=_json_default).decode()
    return value


def _json_default(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else str(value)


def _values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: to_db(v) for k, v in values.items()}


def _insert(conn: sqlite3.Connection, table: str, values: dict[str, Any], tail: str = "", verb: str = "INSERT") -> int:
    """`verb INTO table(columns) VALUES (:columns) tail`, values stored in their one form."""
    return conn.execute(_insert_sql(verb, table, tuple(values), tail), _values(values)).rowcount


@lru_cache(maxsize=512)
def _insert_sql(verb: str, table: str, columns: tuple[str, ...], tail: str) -> str:
    # Built once per statement shape: a projection writes the same few shapes for every event.
    return f"{verb} INTO {table}({', '.join(columns)}) VALUES ({', '.join(':' + k for k in columns)}) {tail}"


def _set_excluded(columns: Iterable[str], kept: set[str]) -> str:
    return ", ".join(f"{k} = excluded.{k}" for k in columns if k not in kept)


def insert(conn: sqlite3.Connection, table: str, values: dict[str, Any], or_ignore: bool = False) -> int:
    return _insert(conn, table, values, verb="INSERT OR IGNORE" if or_ignore else "INSERT")


def merge(conn: sqlite3.Connection, table: str, values: dict[str, Any], keep: Iterable[str] = ()) -> None:
    """Insert, or fill in the given columns of an existing row (`keep`: columns an update must not touch)."""
    _insert(conn, table, values, f"ON CONFLICT(id) DO UPDATE SET {_set_excluded(values, {'id', *keep})}")


def apply_versioned(conn: sqlite3.Connection, table: str, record_id: str, version: int, **fields: Any) -> None:
    """Apply an owner's change by its version, so the row ends the same whatever order changes arrive in:
    each field holds what the newest change that set it said, status included (`field_versions` keeps which
    version set each field), so an older change arriving late fills in what no newer one set (a `received_at`
    behind a later acceptance) and never overrides what a newer one did (documents resubmitted after the
    submission, details cleared at a release). A stub row is made if the record's details have not arrived."""
    columns = tuple(fields)
    row = conn.execute(_current_sql(table, columns), (table, record_id)).fetchone()
    if row is None:
        _insert(conn, table, {**fields, "id": record_id, "version": version})
        _keep_versions(conn, table, record_id, dict.fromkeys(columns, version))
        return
    stored_version, known = row[0], orjson.loads(row[1]) if row[1] else {}
    stored = dict(zip(columns, tuple(row)[2:], strict=True))
    # A field set before versions were kept per field counts as set by the row's version, if it is set at all.
    setters = {k: known.get(k, stored_version if stored[k] is not None else 0) for k in columns}
    changed = {k: v for k, v in fields.items() if version > setters[k]}
    if not changed and version <= stored_version:
        return
    update(conn, table, {"id": record_id}, **changed, version=max(version, stored_version))
    _keep_versions(conn, table, record_id, {**known, **dict.fromkeys(changed, version)})


@lru_cache(maxsize=256)
def _current_sql(table: str, columns: tuple[str, ...]) -> str:
    """The row's version, which version set each field, and the fields: one read."""
    fields = ", ".join(f"r.{k}" for k in columns)
    return (
        f"SELECT r.version, v.versions, {fields} FROM {table} r LEFT JOIN field_versions v "
        "ON v.record_table = ? AND v.record_id = r.id WHERE r.id = ?"
    )


def _keep_versions(conn: sqlite3.Connection, table: str, record_id: str, versions: dict[str, int]) -> None:
    conn.execute(
        "INSERT INTO field_versions(record_table, record_id, versions) VALUES (?, ?, ?) "
        "ON CONFLICT(record_table, record_id) DO UPDATE SET versions = excluded.versions",
        (table, record_id, orjson.dumps(versions).decode()),
    )


def create_versioned(conn: sqlite3.Connection, table: str, values: dict[str, Any]) -> None:
    """A record's creation event (with its `id` and `version`), applied like any versioned change: into a
    stub that newer changes made first, it fills in only what they left empty."""
    fields = {k: v for k, v in values.items() if k not in ("id", "version")}
    apply_versioned(conn, table, values["id"], values["version"], **fields)


def update(conn: sqlite3.Connection, table: str, where: dict[str, Any], **fields: Any) -> int:
    values = _values(fields)
    clause = " AND ".join(f"{k} = :w_{k}" for k in where)
    assignments = ", ".join(f"{k} = :{k}" for k in values)
    params = {**values, **{f"w_{k}": to_db(v) for k, v in where.items()}}
    return conn.execute(f"UPDATE {table} SET {assignments} WHERE {clause}", params).rowcount


def add_timeline(conn: sqlite3.Connection, event: Event, record_id: str, detail: dict[str, Any]) -> None:
    """The event's actor travels with it, so every region's timeline names the same officer."""
    conn.execute(
        "INSERT INTO timeline(event_id, record_id, type, at, region, actor, detail) VALUES (?,?,?,?,?,?,?) "
        "ON CONFLICT DO NOTHING",
        (
            event.id,
            record_id,
            event.type.name,
            to_db(event.time),
            event.region.value,
            event.actor,
            orjson.dumps(detail, default=str),
        ),
    )


def timeline(conn: sqlite3.Connection, record_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT event_id, type, at, region, actor, detail FROM timeline WHERE record_id = ? ORDER BY at, rowid",
        (record_id,),
    )
    return [{**as_dict(r), "detail": orjson.loads(r["detail"])} for r in rows]


def search(
    conn: sqlite3.Connection,
    table: str,
    conditions: list[tuple[str, Any]],
    order: str | tuple[str, ...],
    limit: int,
    cursor: str | None,
    decode_row=dict,
    columns: str = "*",
    ascending: bool = False,
) -> dict[str, Any]:
    """A page by keyset: ordered by the `order` column(s), then id — newest first unless `ascending`;
    `conditions` are (SQL with one ?, value) pairs, None skipped. The cursor holds the last row's keys,
    so `columns` must include them."""
    keys = ((order,) if isinstance(order, str) else order) + ("id",)
    clauses = [f"{column} IS NOT NULL" for column in keys[:-1]]
    args: list[Any] = []
    for clause, value in conditions:
        if value is not None:
            clauses.append(clause)
            args.append(to_db(value))
    if cursor:
        clauses.append(f"({', '.join(keys)}) {'>' if ascending else '<'} ({', '.join('?' * len(keys))})")
        args.extend(decode_cursor(cursor, len(keys)))
    direction = "ASC" if ascending else "DESC"
    rows = conn.execute(
        f"SELECT {columns} FROM {table} WHERE {' AND '.join(clauses)} "
        f"ORDER BY {', '.join(f'{column} {direction}' for column in keys)} LIMIT ?",
        (*args, limit + 1),
    ).fetchall()
    return page([decode_row(r) for r in rows], limit, lambda item: tuple(item[column] for column in keys))


def decode_json_columns(row: Mapping[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    item = as_dict(row)
    for column in columns:
        if item.get(column) is not None:
            item[column] = orjson.loads(item[column])
    return item


def embed_json_columns(row: Mapping[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    """For rows that only go out in a response: stored JSON is embedded as it is (orjson.Fragment), not
    parsed and serialised again. Parsing those columns was the largest cost of a list request."""
    item = as_dict(row)
    for column in columns:
        if item.get(column) is not None:
            item[column] = orjson.Fragment(item[column])
    return item


def listed_view(
    table: str, columns: Iterable[str], json_columns: Iterable[str] = (), flag_columns: Iterable[str] = ()
) -> str:
    """A migration: the table's `listed` column holds each row as a list shows it, one JSON object built by
    SQLite (JSON columns embedded, 0/1 flags as booleans) and kept by triggers on every insert and on every
    update of a column it shows; rows already there are filled in. A list page then reads one value per
    row instead of every column, and builds no dict per row (that was most of a list request's CPU)."""
    columns = tuple(columns)
    kinds = {**dict.fromkeys(json_columns, "json"), **dict.fromkeys(flag_columns, "flag")}

    def listed(row: str) -> str:  # the row's JSON, its columns read through `row` ("NEW." in a trigger)
        fields = ", ".join(f"'{c}', {_json_value(row + c, kinds.get(c))}" for c in columns)
        return f"CAST(json_object({fields}) AS BLOB)"

    build = f"UPDATE {table} SET listed = {listed('NEW.')} WHERE rowid = NEW.rowid"
    return ListedView(
        f"""
        ALTER TABLE {table} ADD COLUMN listed BLOB;
        CREATE TRIGGER {table}_listed_insert AFTER INSERT ON {table} BEGIN {build}; END;
        CREATE TRIGGER {table}_listed_update AFTER UPDATE OF {", ".join(columns)} ON {table} BEGIN {build}; END;
        UPDATE {table} SET listed = {listed("")}
        """,
        table,
        columns,
        kinds,
    )


class ListedView(str):
    """`listed_view`'s migration: SQLite's script, and what PostgreSQL's form is built from (pg/dialect.py)."""

    def __new__(cls, script: str, table: str, columns: tuple[str, ...], kinds: dict[str, str]) -> ListedView:
        view = super().__new__(cls, script)
        view.listed_table, view.columns, view.kinds = table, columns, kinds
        return view


def _json_value(column: str, kind: str | None) -> str:
    if kind == "json":  # stored as text (or, by older code, as bytes: the cast reads both)
        return f"json(CAST({column} AS TEXT))"
    if kind == "flag":
        return f"json(CASE WHEN {column} THEN 'true' ELSE 'false' END)"
    return column
