"""The two stores a test can put instances on, and reads of an instance's store on either: its SQLite file,
or its schema (`{region}_{service}`) in the PostgreSQL database of the instance's store URL. Running instances
(`store_rows`, by their Cluster) and the broker-free tier's in-process ones (`read_rows`, `own_connection`,
`table_names`, by their Store) alike; the statements are written in SQLite's dialect."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from shared.adapters.pg.connection import PgConnection
from shared.adapters.pg.rows import row_factory
from shared.adapters.store import Store
from shared.contracts.regions import Domain, Region
from shared.core.settings import store_schema
from tests.instances import Cluster
from tests.pg_cluster import migrated_template, own_database
from yrd.registry import SERVICES

# A fixture parametrised by these runs on SQLite, and on PostgreSQL where the tests' own cluster can start.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

# The broker-free tier's store (tests/flows): SQLite unless YRD_TEST_STORE=postgresql (`make test` runs it on both).
FLOWS_STORE = os.environ.get("YRD_TEST_STORE", "sqlite")
if FLOWS_STORE not in ("sqlite", "postgresql"):
    raise ValueError(f"YRD_TEST_STORE={FLOWS_STORE!r}: sqlite or postgresql")
ON_POSTGRES = FLOWS_STORE == "postgresql"


# The flows test what the services do on PostgreSQL, not its durability (the fault tests do): a commit does not
# wait for its WAL to reach the disk, which on this machine's disk made the tier about three times slower.
NO_FLUSH_WAIT = "?options=" + quote("-c synchronous_commit=off")


@contextmanager
def zone_database(dsn: str, service: Domain) -> Iterator[str]:
    """A database of an in-memory zone of `service` of its own, its commits not waiting for the disk: a copy
    of the service's template (pg_cluster.migrated_template), so its three regions' schemas are migrated
    already (a copy costs ~0.08 s; migrating three schemas ~0.4 s, and the tier makes some 300 zones)."""
    with own_database(dsn, "flows", template=_template(dsn, service)) as url:
        yield url + NO_FLUSH_WAIT


@functools.cache
def _template(dsn: str, service: Domain) -> str:
    """The service's template, asked of the cluster once per process (it lives as long as the cluster)."""
    schemas = [store_schema(region, service) for region in Region]
    return migrated_template(dsn, service.value, schemas, SERVICES[service].migrations)


def sqlite_only(reason: str) -> pytest.MarkDecorator:
    """A flows test about SQLite itself (its planner, its connection's hooks): skipped on PostgreSQL."""
    return pytest.mark.skipif(ON_POSTGRES, reason=f"about SQLite itself: {reason}")


def read_rows(store: Store, query: str, params: list[Any] | tuple = ()) -> list[dict[str, Any]]:
    """The rows of `query` (SQLite's dialect, `?` placeholders) in `store`, read in its own read-only snapshot
    (on PostgreSQL the store translates the statement), each as a dict of its columns."""
    with store.read() as conn:
        return [dict(zip(row.keys(), row, strict=True)) for row in conn.execute(query, tuple(params))]


def table_names(store: Store) -> list[str]:
    """The store's own tables (its migrations' and the shared ones), by name."""
    if store.dialect == "postgresql":
        query = "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return sorted(row["name"] for row in read_rows(store, query))


@contextmanager
def own_connection(store: Store) -> Iterator[sqlite3.Connection | PgConnection]:
    """A connection to `store` of the caller's own (none of the store's threads' or pool's), each statement
    committed as it runs, taking SQLite's dialect on either backend: what another process would see."""
    if store.dialect == "postgresql":
        raw = psycopg.connect(store.url, autocommit=True, row_factory=row_factory)
        with closing(raw):
            raw.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(store.schema)))
            yield PgConnection(raw)
    else:
        with closing(sqlite3.connect(store.path, isolation_level=None)) as conn:
            yield conn


@contextmanager
def sqlite_store(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to an instance's SQLite store, committed and closed on leaving. `with sqlite3.connect()`
    alone commits but does not close, and Python 3.11's connection sits in a reference cycle (its statement
    cache), so the file stays open until the garbage collector runs; `yrd restore` then finds the suite's
    process holding a stopped instance's store and refuses it, as a CI run once did."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def store_rows(
    cluster: Cluster, region: Region, service: Domain, query: str, params: list[Any] | tuple = ()
) -> list[tuple]:
    """The rows of `query` (SQLite's dialect, `?` placeholders) in the instance's store, wherever it is."""
    if url := cluster.extra_env.get("YRD_STORE_URL"):
        if params:  # psycopg's placeholders: a literal % is written %%
            query = query.replace("%", "%%").replace("?", "%s")
        with psycopg.connect(url) as conn:
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(store_schema(region, service))))
            return conn.execute(query, list(params) or None).fetchall()
    with sqlite_store(cluster.db(region, service)) as conn:
        return conn.execute(query, params).fetchall()
