"""The broker-free tier's fixtures: in-memory zones of the real services (see tests/inmemory.py), their stores
on SQLite, or with YRD_TEST_STORE=postgresql in the tests' own PostgreSQL cluster (tests/pg_cluster.py), each
zone in a database of its own (copied from its service's migrated template, dropped after the test)."""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from shared.adapters.tokens import init_dev_keys
from shared.contracts.regions import Domain
from tests.backends import ON_POSTGRES, zone_database
from tests.inmemory import InMemoryZone
from tests.instances import KEYS

StoreUrls = Callable[[Domain], str | None]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, only the tests with a store to put there run: the rest (documents, SQLite files a test
    makes itself) would run exactly as in the SQLite run."""
    if not ON_POSTGRES:
        return
    flows = [item for item in items if "tests/flows/" in item.nodeid]
    storeless = {item for item in flows if not {"store_urls", "module_store_urls", "flows_pg"} & set(item.fixturenames)}
    if storeless:
        config.hook.pytest_deselected(items=list(storeless))
        items[:] = [item for item in items if item not in storeless]


@pytest.fixture(scope="session", autouse=True)
def dev_keys() -> Path:
    """The development keys every zone signs and checks with, made on first use: pytest-xdist's workers
    start at once, so one at a time (a key written twice would not be the key the other worker read)."""
    KEYS.mkdir(parents=True, exist_ok=True)
    with open(KEYS.with_name("keys.init.lock"), "w") as lock:  # beside the directory: nothing in it reads a stranger
        fcntl.flock(lock, fcntl.LOCK_EX)
        init_dev_keys(KEYS)
    return KEYS


@pytest.fixture(scope="session")
def flows_pg(request: pytest.FixtureRequest) -> str | None:
    """The tests' cluster when the flows run on PostgreSQL (started on first use), else None."""
    return request.getfixturevalue("pg_dsn") if ON_POSTGRES else None


def _databases(dsn: str | None) -> Iterator[StoreUrls]:
    with ExitStack() as made:
        yield lambda service: made.enter_context(zone_database(dsn, service)) if dsn else None


@pytest.fixture
def store_urls(flows_pg: str | None) -> Iterator[StoreUrls]:
    """A new zone's store URL each call (for the service named): None on SQLite (files in the zone's data
    directory), else a fresh database, dropped after the test (and after its zones are closed)."""
    yield from _databases(flows_pg)


@pytest.fixture(scope="module")
def module_store_urls(flows_pg: str | None) -> Iterator[StoreUrls]:
    """`store_urls` for a zone a module's tests share."""
    yield from _databases(flows_pg)


@pytest.fixture
def zone_of(tmp_path, store_urls: StoreUrls) -> Iterator[Callable[..., InMemoryZone]]:
    init_dev_keys(KEYS)
    zones: list[InMemoryZone] = []

    def make(service: Domain, hold: bool = False) -> InMemoryZone:
        data_dir = tmp_path / f"{service.value}-{len(zones)}"
        zone = InMemoryZone(service, data_dir, KEYS, hold=hold, store_url=store_urls(service))
        zones.append(zone)
        return zone

    yield make
    for zone in zones:
        zone.close()
