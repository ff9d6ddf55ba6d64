"""Fixtures shared by the integration and end-to-end suites: the real broker and an isolated topic
namespace per test session (a prefix), so tests never see `make run` data or each other's."""

from __future__ import annotations

import os
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from kafka.admin import KafkaAdminClient
from xdist.scheduler import LoadFileScheduling

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.admin import provision
from shared.adapters.kafka.probe import broker_answers
from shared.contracts.topics import catalogue
from tests.instances import Cluster
from tests.pg_cluster import pg_dsn, pg_schema  # noqa: F401 (fixtures: the tests' own PostgreSQL cluster)

# Under pytest-xdist (`make test`: `-n 2 --dist loadfile`) a test file's tests run on one worker, so its
# module fixtures are made once. Files that share a costly session fixture also share a worker, so it is made
# once in the session: the identity provider (Keycloak) takes some 40 s of both cores to start. The files
# that use every service's cluster share one too: the other worker then starts none of those 18 instances
# (each a second or two of CPU to start, and their idle load for the rest of the run).
ONE_WORKER = {
    "tests/e2e/test_identity.py": "keycloak",
    "tests/e2e/test_desk.py": "keycloak",
    **dict.fromkeys(
        [f"tests/e2e/test_{name}.py" for name in ("access", "fuzz", "policy_matrix", "operations", "review_findings")],
        "every-service",
    ),
}
SHARED_FIXTURES = {"provider": "keycloak"}  # what puts a file in ONE_WORKER's group

# The longest units, longest first (seconds of one worker, measured 2026-12-08 one test at a time): handed
# out before the rest, so a run does not end with one worker on a long unit while the other idles. xdist's
# own order (most tests first) leaves the few-test files that start brokers of their own to the end; a
# two-worker run in that order idled a core for 225 of its 507 s.
LONGEST_FIRST = [
    "tests/zone/test_partition.py",  # 220, of both cores
    "every-service",  # 150
    "keycloak",  # 120
    "tests/e2e/test_faults.py",  # 88
    "tests/integration/test_backup.py",  # 67
    "tests/integration/test_outages.py",  # 45
    "tests/integration/test_outbox_broker_restart.py",  # 29
    "tests/e2e/test_alerts.py",  # 27
    "tests/e2e/test_processes.py",  # 25
    "tests/e2e/test_alerting.py",  # 24
    "tests/flows/test_contract.py",  # 57 (the broker-free tiers)
    "tests/flows/test_convergence.py",  # 27
]


class _LongestFirst(OrderedDict):
    """xdist's queue of work units, handing out LONGEST_FIRST's before the others (in their own order)."""

    def popitem(self, last: bool = True):
        if not last:
            for scope in LONGEST_FIRST:
                if scope in self:
                    return scope, self.pop(scope)
        return super().popitem(last)


class FileOrSharedScheduling(LoadFileScheduling):
    """`--dist loadfile`, but ONE_WORKER's files as one unit each group, and the longest units first. (xdist's
    own `loadgroup` marks are not read with pytest 9: xdist 3.8 renames `item._nodeid`, which pytest 9 no
    longer has.)"""

    def __init__(self, config: pytest.Config, log=None) -> None:
        super().__init__(config, log)
        self.workqueue = _LongestFirst()

    def _split_scope(self, nodeid: str) -> str:
        file = super()._split_scope(nodeid)
        return ONE_WORKER.get(file, file)


def pytest_xdist_make_scheduler(config: pytest.Config, log) -> FileOrSharedScheduling | None:
    return FileOrSharedScheduling(config, log) if config.getoption("dist") == "loadfile" else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed test's report carries the pipeline figures of the clusters it used (Cluster.pipeline_figures),
    read as it failed: a CI run's output is all there is to tell a slow event from a lost one."""
    report = yield
    if report.failed and call.when == "call":
        for name, value in getattr(item, "funcargs", {}).items():
            for cluster in value if isinstance(value, tuple) else (value,):
                if isinstance(cluster, Cluster) and cluster.procs:
                    report.sections.append((f"pipeline figures of `{name}` at the failure", cluster.pipeline_figures()))
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A file that uses a shared fixture must be in its group, or the fixture is made on both workers."""
    for item in items:
        file = item.nodeid.split("::", 1)[0]
        for fixture, group in SHARED_FIXTURES.items():
            if fixture in item.fixturenames and ONE_WORKER.get(file) != group:
                raise pytest.UsageError(f"{file} uses `{fixture}`: add it to ONE_WORKER in tests/conftest.py")


@pytest.fixture(scope="session")
def kafka() -> KafkaAccess:
    """The broker, as the admin principal: the tests provision, and look at topics as an operator would."""
    access = KafkaAccess.of(os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    if not broker_answers(access, timeout=5):
        pytest.fail(f"no Kafka broker answers at {access.bootstrap}: `make test` starts one (or set KAFKA_BOOTSTRAP)")
    return access


def _namespace(kafka: KafkaAccess):
    namespace = f"t{uuid.uuid4().hex[:8]}."
    provision(kafka, prefix=namespace)
    yield namespace
    admin = KafkaAdminClient(**kafka.config())
    try:
        admin.delete_topics([spec.name for spec in catalogue(namespace)], timeout_ms=30000, raise_errors=False)
    except Exception:  # cleanup only: a broker stopped by a test may still be settling
        pass
    finally:
        admin.close()


@contextmanager
def own_namespace(kafka: KafkaAccess) -> Iterator[str]:
    """A topic namespace for one cluster, its topics deleted after. A namespace holds at most one instance of
    each region's service: two Qingpu courts on one topic would each give out 民初1号."""
    namespace = _namespace(kafka)
    try:
        yield next(namespace)
    finally:
        next(namespace, None)


@pytest.fixture(scope="session")
def prefix(kafka: KafkaAccess):
    """The integration tests' topic namespace."""
    yield from _namespace(kafka)


@pytest.fixture(scope="session")
def scratch_prefix(kafka: KafkaAccess):
    """A namespace nobody consumes: for records of no meaning (the broker's ACL tests write `{}`)."""
    yield from _namespace(kafka)


@pytest.fixture(scope="session")
def e2e_prefix(kafka: KafkaAccess):
    """The running instances' own namespace: their consumers never see the integration tests' records."""
    yield from _namespace(kafka)
