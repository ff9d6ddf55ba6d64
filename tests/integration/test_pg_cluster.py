"""The tests' own PostgreSQL cluster (tests/pg_cluster.py) as the PostgreSQL store will use it: psycopg
connects, a test's schema holds what it makes and nothing else, and pg_dump and pg_restore carry a schema."""

from __future__ import annotations

import subprocess

import psycopg
import pytest
from psycopg import sql

from tests.pg_cluster import PgSchema, program

pytestmark = pytest.mark.postgres


def test_the_cluster_is_the_one_the_store_expects(pg_dsn: str):
    with psycopg.connect(pg_dsn) as conn:
        settings = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('server_encoding', 'lc_collate', 'wal_level', 'fsync', 'synchronous_commit', 'listen_addresses')"
            ).fetchall()
        )
        user, database = conn.execute("SELECT current_user, current_database()").fetchone()
    assert (user, database) == ("yrd", "yrd")
    assert settings == {
        "server_encoding": "UTF8",
        "lc_collate": "C",
        "wal_level": "replica",
        "fsync": "on",
        "synchronous_commit": "on",
        "listen_addresses": "127.0.0.1",
    }


def test_a_schema_holds_a_tests_tables_alone(pg_schema: PgSchema, pg_dsn: str):
    with psycopg.connect(pg_schema.dsn) as conn:
        conn.execute("CREATE TABLE filings (id text PRIMARY KEY, region text NOT NULL)")
        conn.execute("INSERT INTO filings VALUES ('f-1', 'jiashan'), ('f-2', 'qingpu')")
    with psycopg.connect(pg_dsn) as conn:
        where = conn.execute("SELECT table_schema FROM information_schema.tables WHERE table_name = 'filings'")
        assert [row[0] for row in where] == [pg_schema.name]
        assert conn.execute(f"SELECT count(*) FROM {pg_schema.name}.filings").fetchone() == (2,)


def test_pg_dump_and_pg_restore_carry_a_schema(pg_schema: PgSchema, pg_dsn: str, tmp_path):
    with psycopg.connect(pg_schema.dsn) as conn:
        conn.execute("CREATE TABLE certificates (number bigint PRIMARY KEY, holder text NOT NULL)")
        conn.execute("INSERT INTO certificates SELECT n, 'holder ' || n FROM generate_series(1, 50) AS n")
    dump = tmp_path / "schema.dump"
    subprocess.run(
        [program("pg_dump"), "--dbname", pg_dsn, "--schema", pg_schema.name, "--format", "custom", "--file", dump],
        check=True,
        timeout=60,
    )
    listing = subprocess.run([program("pg_restore"), "--list", dump], check=True, capture_output=True, text=True)
    assert f"TABLE DATA {pg_schema.name} certificates" in listing.stdout

    with psycopg.connect(pg_dsn) as conn:  # the schema gone, and with it the table: the dump brings both back
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(pg_schema.name)))
    subprocess.run([program("pg_restore"), "--dbname", pg_dsn, dump], check=True, timeout=60)
    with psycopg.connect(pg_schema.dsn) as conn:
        rows = conn.execute("SELECT count(*), min(number), max(number), max(holder) FROM certificates").fetchone()
    assert rows == (50, 1, 50, "holder 9")
