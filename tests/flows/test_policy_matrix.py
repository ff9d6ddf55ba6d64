"""The policy matrix of the end-to-end suite (tests/e2e/test_policy_matrix.py), run against in-memory
zones instead of running instances: the same endpoints, fixtures and assertions, in seconds, with no
broker. The end-to-end run stays the proof that the deployed processes behave the same."""

from __future__ import annotations

import pytest

from shared.adapters.tokens import init_dev_keys
from shared.contracts.regions import Domain
from tests.e2e.test_policy_matrix import (  # noqa: F401 (fixtures and tests, collected here too)
    alert_ids,
    corrections_ids,
    enforcement_ids,
    filing_ids,
    notary_ids,
    procuratorate_ids,
    test_policy_on_every_endpoint,
    test_the_table_covers_every_v1_operation,
)
from tests.inmemory import InMemoryZone
from tests.instances import KEYS

# The tests ask for their zones by name (request.getfixturevalue): this names the store they all use.
pytestmark = pytest.mark.usefixtures("module_store_urls")


def _zone(tmp_path_factory, store_urls, service: Domain, **env: str):
    init_dev_keys(KEYS)
    zone = InMemoryZone(service, tmp_path_factory.mktemp(f"zone-{service.value}"), KEYS, store_url=store_urls(service))
    yield zone
    zone.close()


@pytest.fixture(scope="module")
def filing_cluster(tmp_path_factory, module_store_urls):
    yield from _zone(tmp_path_factory, module_store_urls, Domain.FILING)


@pytest.fixture(scope="module")
def alerts_cluster(tmp_path_factory, module_store_urls):
    yield from _zone(tmp_path_factory, module_store_urls, Domain.ALERTS)


@pytest.fixture(scope="module")
def notary_cluster(tmp_path_factory, module_store_urls):
    yield from _zone(tmp_path_factory, module_store_urls, Domain.NOTARY)


@pytest.fixture(scope="module")
def enforcement_cluster(tmp_path_factory, module_store_urls):
    yield from _zone(tmp_path_factory, module_store_urls, Domain.ENFORCEMENT)


@pytest.fixture(scope="module")
def corrections_cluster(tmp_path_factory, module_store_urls):
    yield from _zone(tmp_path_factory, module_store_urls, Domain.CORRECTIONS)


@pytest.fixture(scope="module")
def procuratorate_cluster(tmp_path_factory, module_store_urls):
    yield from _zone(tmp_path_factory, module_store_urls, Domain.PROCURATORATE)
