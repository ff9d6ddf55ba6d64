"""Fixtures shared by the integration and end-to-end suites: the real broker and an isolated topic
namespace per test session (a prefix), so tests never see `make run` data or each other's."""

from __future__ import annotations

import os
import uuid

import pytest
from kafka.admin import KafkaAdminClient

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.admin import provision
from shared.adapters.kafka.probe import broker_answers
from shared.contracts.topics import catalogue
from tests.pg_cluster import pg_dsn, pg_schema  # noqa: F401 (fixtures: the tests' own PostgreSQL cluster)

# The suite's one identity provider takes some 40 s to start: the modules that use it share one worker.
ONE_WORKER_FOR = {"provider": "keycloak"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With pytest-xdist's `--dist loadgroup` (`make test` runs the integration and end-to-end tiers on two
    workers), a module's tests stay together on one worker, as with `loadfile`: a module's fixtures are
    made once. Modules that use one of ONE_WORKER_FOR's session fixtures go to the same worker, so it is
    made once in the session too."""
    if config.getoption("dist", "no") != "loadgroup":
        return
    groups: dict[str, str] = {}
    for item in items:
        module = item.nodeid.split("::")[0]
        shared = [ONE_WORKER_FOR[name] for name in ONE_WORKER_FOR if name in item.fixturenames]
        groups[module] = shared[0] if shared else groups.get(module, module)
    for item in items:
        item.add_marker(pytest.mark.xdist_group(groups[item.nodeid.split("::")[0]]))


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
