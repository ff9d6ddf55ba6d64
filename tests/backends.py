"""The two stores a test of running instances can put them on, and reads of an instance's store on either:
its SQLite file, or its schema (`{region}_{service}`) in the PostgreSQL database of the cluster's
YRD_STORE_URL."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
import pytest
from psycopg import sql

from shared.contracts.regions import Domain, Region
from tests.instances import Cluster

# A fixture parametrised by these runs on SQLite, and on PostgreSQL where the tests' own cluster can start.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def store_rows(
    cluster: Cluster, region: Region, service: Domain, query: str, params: list[Any] | tuple = ()
) -> list[tuple]:
    """The rows of `query` (SQLite's dialect, `?` placeholders) in the instance's store, wherever it is."""
    if url := cluster.extra_env.get("YRD_STORE_URL"):
        if params:  # psycopg's placeholders: a literal % is written %%
            query = query.replace("%", "%%").replace("?", "%s")
        with psycopg.connect(url) as conn:
            schema = f"{region.value}_{service.value}"
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
            return conn.execute(query, list(params) or None).fetchall()
    with sqlite3.connect(cluster.db(region, service)) as conn:
        return conn.execute(query, params).fetchall()
