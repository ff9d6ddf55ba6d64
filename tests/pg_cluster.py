"""The tests' own PostgreSQL cluster, apart from the project's on 5433: started by deploy/postgres/start.sh (what
`make pg` runs) when a test first asks for it, on the port base + 2433, stopped when the last session using it
ends: pytest-xdist's workers (`pytest -n 2`) each hold the one cluster, registered under a lock file. Its data
directory, .cache/test-pg-<port>, is initialised once and kept: later sessions only start it, and every test
works in an empty schema or database of its own (dropped after it), so nothing one session or test made is
seen by another."""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from shared.adapters.schema import Migration
from shared.adapters.stores import open_store
from shared.core.settings import ROOT
from tests.instances import SUITE_PORT_BASE

PG_PORT = SUITE_PORT_BASE + 2433  # one cluster for every xdist worker of the suite
DATA_DIR = ROOT / ".cache" / f"test-pg-{PG_PORT}"
SCRIPTS = ROOT / "deploy" / "postgres"
USERS = DATA_DIR.with_name(f"{DATA_DIR.name}.users")  # a file per process using the cluster, named by its pid


def program(name: str) -> str:
    """A PostgreSQL program (pg_dump, pg_restore, psql) of the server start.sh runs: PG_BIN's, or the newest
    Debian PostgreSQL's, as deploy/postgres/common.sh finds it."""
    bin_dir = os.environ.get("PG_BIN") or max(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(Path(path).parent.name), default=None
    )
    found = os.path.join(bin_dir, name) if bin_dir else shutil.which(name)
    if not found or not os.access(found, os.X_OK):
        raise FileNotFoundError(f"{name}: no PostgreSQL programs found (`make setup` installs Debian's postgresql)")
    return found


def dsn_of(port: int) -> str:
    return f"postgresql://yrd@127.0.0.1:{port}/yrd"


def in_schema(dsn: str, schema: str) -> str:
    """The same database with `schema` first on the search path: unqualified tables are made and found there."""
    return f"{dsn}?options={quote(f'-c search_path={schema}')}"


def start(data_dir: Path, port: int) -> str:
    """Starts (initialising on first use) a cluster from `data_dir`; its database's DSN."""
    done = subprocess.run(
        ["bash", str(SCRIPTS / "start.sh"), str(data_dir), str(port)], capture_output=True, text=True, timeout=180
    )
    if done.returncode != 0:
        raise RuntimeError(f"PostgreSQL did not start from {data_dir}:\n{done.stdout}{done.stderr}")
    return dsn_of(port)


def stop(data_dir: Path) -> None:
    subprocess.run(["bash", str(SCRIPTS / "stop.sh"), str(data_dir)], check=True, capture_output=True, timeout=120)


@contextmanager
def own_database(dsn: str, stem: str, template: str | None = None) -> Iterator[str]:
    """A fresh database on `dsn`'s server (a copy of `template`, if given), dropped after; its URL. Instances
    of one region's service use the same schema (`{region}_{service}`) in whatever database they are given,
    so each test cluster of instances needs a database of its own."""
    name = f"{stem}_{uuid.uuid4().hex[:8]}"
    copy = sql.SQL(" TEMPLATE {}").format(sql.Identifier(template)) if template else sql.SQL("")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}{}").format(sql.Identifier(name), copy))
    try:
        yield dsn.rsplit("/", 1)[0] + f"/{name}"
    finally:
        # FORCE: a killed instance's sessions may linger. As the cluster's superuser: an autovacuum worker in
        # the database is terminated too (the `yrd` role may end only its own sessions).
        with psycopg.connect(dsn, user="postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


TEMPLATE_PREFIX = "migrated_"


def migrated_template(dsn: str, label: str, schemas: list[str], migrations: Sequence[Migration]) -> str:
    """The name of a database holding `schemas`, each migrated with `migrations` (and the shared ones), made on
    first use for the cluster's session: a zone's database is copied from it instead of migrating three
    schemas again. Made under a temporary name and renamed when whole; one process at a time (xdist's
    workers share the cluster). The session that starts the cluster drops the last session's templates."""
    name = f"{TEMPLATE_PREFIX}{label}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('tests.migrated_template'))")
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            making = f"{name}_making_{uuid.uuid4().hex[:8]}"
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(making)))
            url = dsn.rsplit("/", 1)[0] + f"/{making}"
            for schema in schemas:
                open_store(url, migrations, schema=schema).close()
            conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(making), sql.Identifier(name)))
        conn.execute("SELECT pg_advisory_unlock(hashtext('tests.migrated_template'))")
    return name


def _drop_templates(dsn: str) -> None:
    with psycopg.connect(dsn, user="postgres", autocommit=True) as conn:
        names = conn.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (TEMPLATE_PREFIX,))
        for (name,) in names.fetchall():
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@dataclass(frozen=True)
class PgSchema:
    name: str
    dsn: str  # the database, searching this schema first: what a store under test is given


@contextmanager
def _users_locked() -> Iterator[Path]:
    """The users' directory, under an exclusive lock: one process at a time starts, joins or stops the cluster."""
    USERS.mkdir(parents=True, exist_ok=True)
    with open(USERS.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield USERS


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """The DSN of the session's cluster (database and role `yrd`). Several processes (xdist's workers) share
    it: the first starts it, the last to finish stops it (a user that died is not waited for)."""
    me = str(os.getpid())
    with _users_locked() as users:
        try:
            dsn = start(DATA_DIR, PG_PORT)  # a running cluster is only waited for
        except RuntimeError as error:
            pytest.fail(str(error))
        if not any(user.name.isdigit() and _alive(int(user.name)) for user in users.iterdir()):
            _drop_templates(dsn)  # the first user: templates of an earlier session may hold older migrations
        (users / me).touch()
    yield dsn
    with _users_locked() as users:
        (users / me).unlink(missing_ok=True)
        others = [user for user in users.iterdir() if user.name.isdigit() and _alive(int(user.name))]
        if not others:
            stop(DATA_DIR)


@pytest.fixture
def pg_schema(pg_dsn: str) -> Iterator[PgSchema]:
    """An empty schema of this test's own in the session's cluster, dropped with all it holds afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    yield PgSchema(name, in_schema(pg_dsn, name))
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '30s'")  # a connection the test left in a transaction: fail, never hang
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
