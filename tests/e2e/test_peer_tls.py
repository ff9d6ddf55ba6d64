"""The peer listener (port + 50) of a running instance, reached as another region's instance would, and as
an intruder would: mutual TLS with certificates from the zone CA, the calling instance's region matched to
the token's, reads only. The relayed reads themselves (parties, subjects, applicants) go over it in the
other end-to-end tests."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from shared.adapters.tls import InstanceTLS, PeerIdentity, init_dev_tls
from shared.contracts.regions import Domain, Region, peer_port_of
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body, id_number
from tests.helpers import eventually
from tests.instances import KEYS, token

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
F = Domain.FILING
TLS_DIR = KEYS / "tls"
PLAINTIFF = id_number(born="19800808", seq="515")


def as_instance(region: Region, service: Domain, directory: Path = TLS_DIR) -> ssl.SSLContext:
    return InstanceTLS(directory, PeerIdentity(region, service)).client_context()


def peer_url(cluster, region: Region, path: str) -> str:
    return f"https://127.0.0.1:{peer_port_of(region, F, cluster.port_base)}/v1{path}"


@pytest.fixture(scope="module")
def held_at_jiashan(filing_cluster) -> str:
    """A filing received at Jiashan's window for Qingpu's court: its parties are held at Jiashan."""
    clerk = filing_cluster.client(J, F, token(J, Role.WINDOW_CLERK))
    filing_id = clerk.post("/filings", json=filing_body(court="qingpu", plaintiff_id=PLAINTIFF)).json()["id"]
    court = filing_cluster.client(Q, F, token(Q, Role.COURT_OFFICER))
    eventually(lambda: court.get(f"/filings/{filing_id}").status_code == 200, what="the filing at Qingpu")
    return filing_id


def read_parties(cluster, filing_id: str, context: ssl.SSLContext, acting: Region, method: str = "GET"):
    headers = {"authorization": f"Bearer {token(acting, Role.COURT_OFFICER)}", "x-purpose": "case-review"}
    with httpx.Client(verify=context, timeout=10) as client:
        return client.request(method, peer_url(cluster, J, f"/filings/{filing_id}/parties"), headers=headers)


def test_qingpus_instance_reads_with_a_qingpu_token(filing_cluster, held_at_jiashan):
    answer = read_parties(filing_cluster, held_at_jiashan, as_instance(Q, F), Q)
    assert answer.status_code == 200, answer.text
    assert answer.json()["parties"][0]["identifier"] == PLAINTIFF


def test_a_token_relayed_by_another_regions_instance_is_refused(filing_cluster, held_at_jiashan):
    answer = read_parties(filing_cluster, held_at_jiashan, as_instance(W, F), Q)
    assert answer.status_code == 403
    assert answer.json()["type"].endswith("/peer-mismatch")


def test_another_services_instance_is_not_a_peer(filing_cluster, held_at_jiashan):
    answer = read_parties(filing_cluster, held_at_jiashan, as_instance(Q, Domain.ALERTS), Q)
    assert answer.status_code == 403
    assert answer.json()["type"].endswith("/peer-unknown")


def test_the_peer_listener_serves_reads_only(filing_cluster, held_at_jiashan):
    answer = read_parties(filing_cluster, held_at_jiashan, as_instance(Q, F), Q, method="POST")
    assert answer.status_code == 405
    assert answer.json()["type"].endswith("/peer-read-only")


def test_without_a_certificate_or_with_a_foreign_cas_no_connection_is_made(filing_cluster, held_at_jiashan, tmp_path):
    anonymous = ssl.create_default_context(cafile=str(TLS_DIR / "ca.pem"))
    with pytest.raises(httpx.HTTPError):
        read_parties(filing_cluster, held_at_jiashan, anonymous, Q)
    init_dev_tls(tmp_path)  # a CA of its own, and a certificate naming Qingpu's filing instance
    with pytest.raises(httpx.HTTPError):
        read_parties(filing_cluster, held_at_jiashan, as_instance(Q, F, tmp_path), Q)


def test_the_peer_port_speaks_only_tls(filing_cluster):
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{peer_port_of(J, F, filing_cluster.port_base)}/healthz", timeout=5)
