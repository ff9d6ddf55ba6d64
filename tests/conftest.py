"""Fixtures shared by the integration and end-to-end suites: the real broker and an isolated topic
namespace per test session (a prefix), so tests never see `make run` data or each other's."""

from __future__ import annotations

import os
import uuid

import pytest
from kafka.admin import KafkaAdminClient

from shared.adapters.kafka.admin import ensure_topics
from shared.adapters.kafka.probe import broker_answers
from shared.contracts.topics import catalogue


@pytest.fixture(scope="session")
def bootstrap() -> str:
    address = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    if not broker_answers(address, timeout=5):
        pytest.fail(f"no Kafka broker answers at {address}: `make test` starts one (or set KAFKA_BOOTSTRAP)")
    return address


def _namespace(bootstrap: str):
    namespace = f"t{uuid.uuid4().hex[:8]}."
    ensure_topics(bootstrap, prefix=namespace)
    yield namespace
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.delete_topics([spec.name for spec in catalogue(namespace)], timeout_ms=30000, raise_errors=False)
    except Exception:  # cleanup only: a broker stopped by a test may still be settling
        pass
    finally:
        admin.close()


@pytest.fixture(scope="session")
def prefix(bootstrap: str):
    """The integration tests' topic namespace."""
    yield from _namespace(bootstrap)


@pytest.fixture(scope="session")
def e2e_prefix(bootstrap: str):
    """The running instances' own namespace: their consumers never see the integration tests' records."""
    yield from _namespace(bootstrap)
