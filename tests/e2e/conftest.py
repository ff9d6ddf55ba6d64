"""Running instances (tests/instances.py) for the end-to-end suites, one cluster of instances per service."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.adapters.tokens import init_dev_keys
from shared.contracts.regions import Domain
from tests.conftest import _namespace
from tests.e2e.identity_support import IDENTITY_BASE, start_provider, trust_file
from tests.instances import KEYS, Cluster, serving


@pytest.fixture(scope="session")
def keys() -> Path:
    init_dev_keys(KEYS)
    return KEYS


def _cluster(prefix: str, tmp_path_factory, keys: Path, services: list[Domain], **env: str):
    yield from serving(Cluster(prefix, tmp_path_factory.mktemp("instances"), services, env))


@pytest.fixture(scope="session")
def filing_cluster(e2e_prefix, tmp_path_factory, keys):
    # Courts decide within 8 s here (7 days in production), so the overdue rule is testable.
    yield from _cluster(e2e_prefix, tmp_path_factory, keys, [Domain.FILING], YRD_FILING_DECISION_SECONDS="8")


@pytest.fixture(scope="session")
def alerts_cluster(e2e_prefix, tmp_path_factory, keys):
    # Severity I must be acknowledged within 4 s here (2 min in production), so escalation is testable.
    yield from _cluster(e2e_prefix, tmp_path_factory, keys, [Domain.ALERTS], YRD_ALERTS_ACK_I_SECONDS="4")


@pytest.fixture(scope="session")
def notary_cluster(e2e_prefix, tmp_path_factory, keys):
    # Proof requests fall due after 3 s here (3 days in production), so the overdue flag is testable.
    yield from _cluster(e2e_prefix, tmp_path_factory, keys, [Domain.NOTARY], YRD_NOTARY_PROOF_ANSWER_SECONDS="3")


@pytest.fixture(scope="session")
def procuratorate_cluster(e2e_prefix, tmp_path_factory, keys):
    yield from _cluster(e2e_prefix, tmp_path_factory, keys, [Domain.PROCURATORATE])


@pytest.fixture(scope="session")
def enforcement_cluster(e2e_prefix, tmp_path_factory, keys):
    yield from _cluster(e2e_prefix, tmp_path_factory, keys, [Domain.ENFORCEMENT])


@pytest.fixture(scope="session")
def corrections_cluster(e2e_prefix, tmp_path_factory, keys):
    # Report-in after a transfer falls due after 3 s here (7 days in production).
    yield from _cluster(
        e2e_prefix, tmp_path_factory, keys, [Domain.CORRECTIONS], YRD_CORRECTIONS_TRANSFER_REPORT_IN_SECONDS="3"
    )


# The suite's one identity provider (Keycloak) and the instances trusting its realms: the identity tests and
# the desk's browser tests share them.
@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    started = start_provider(tmp_path_factory.mktemp("keycloak"))
    print(f"\nkeycloak: started and realms imported in {started.start_seconds:.1f} s")
    yield started
    started.stop()


@pytest.fixture(scope="session")
def identity_prefix(kafka):
    yield from _namespace(kafka)


@pytest.fixture(scope="session")
def cluster(provider, identity_prefix, tmp_path_factory, keys):
    folder = tmp_path_factory.mktemp("identity")
    env = {"YRD_TRUST_FILE": str(trust_file(provider, folder))}
    yield from serving(Cluster(identity_prefix, folder, [Domain.FILING, Domain.ALERTS], env, port_base=IDENTITY_BASE))
