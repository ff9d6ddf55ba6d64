"""The point-to-point reader accepts an answer only from the instance it meant to reach, and the zone's
certificates name the instance they were made for."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.adapters.peers import Peers
from shared.adapters.tls import InstanceTLS, PeerIdentity, identity_from_uri, identity_of, init_dev_tls
from shared.contracts.problems import Problem
from shared.contracts.regions import Domain, Region, peer_port_of
from shared.core.settings import Settings

BASE = 31000  # below the ephemeral range, clear of the suite's and the bench's port bases


class _Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"parties": []}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("tls")
    init_dev_tls(directory)
    return directory


@pytest.fixture
def jiashan_listener(tls_dir, request) -> Iterator[None]:
    """Whatever instance the test names, listening where Jiashan's filing instance's peer listener is."""
    presenting: PeerIdentity = request.param
    server = http.server.ThreadingHTTPServer(("127.0.0.1", peer_port_of(Region.JIASHAN, Domain.FILING, BASE)), _Answer)
    context = InstanceTLS(tls_dir, presenting).server_context()
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield
    server.shutdown()
    server.server_close()


def qingpu_filing(tls_dir: Path) -> Peers:
    return Peers(Settings(region=Region.QINGPU, service=Domain.FILING, port_base=BASE, tls_dir=tls_dir))


@pytest.mark.parametrize("jiashan_listener", [PeerIdentity(Region.JIASHAN, Domain.FILING)], indirect=True)
def test_the_owning_instance_answers(tls_dir, jiashan_listener):
    peers = qingpu_filing(tls_dir)
    assert peers.get(Region.JIASHAN, "/v1/filings/x/parties", "Bearer t", "case-review", "c1") == {"parties": []}
    peers.close()


@pytest.mark.parametrize(
    "jiashan_listener",
    [PeerIdentity(Region.JIASHAN, Domain.ALERTS), PeerIdentity(Region.WUJIANG, Domain.FILING)],
    indirect=True,
)
def test_an_answer_from_any_other_instance_is_refused(tls_dir, jiashan_listener):
    peers = qingpu_filing(tls_dir)
    with pytest.raises(Problem) as refused:
        peers.get(Region.JIASHAN, "/v1/filings/x/parties", "Bearer t", "case-review", "c1")
    assert refused.value.status == 502 and refused.value.slug == "owner-unverified"
    peers.close()


def test_each_certificate_names_its_instance_and_nothing_else(tls_dir):
    for region in Region:
        identity = PeerIdentity(region, Domain.NOTARY)
        pem = InstanceTLS(tls_dir, identity).certificate.read_text()
        assert identity_of(pem) == identity
    assert identity_from_uri("spiffe://yrd.zone/shanghai/filing") is None
    assert identity_from_uri("spiffe://other.zone/qingpu/filing") is None
    assert identity_from_uri("spiffe://yrd.zone/qingpu/audit") is None  # not a service
    assert identity_from_uri("spiffe://yrd.zone/qingpu/filing") == PeerIdentity(Region.QINGPU, Domain.FILING)


def test_plain_http_between_instances_is_for_loopback_only():
    assert Settings(peer_tls=False).peer_url(Region.JIASHAN).startswith("http://127.0.0.1:")
    with pytest.raises(ValueError, match="loopback"):
        Settings(peer_tls=False, peer_host="192.0.2.10")
