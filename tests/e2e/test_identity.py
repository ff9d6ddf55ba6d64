"""Sign-in at each region's identity provider, against a real Keycloak: the suite's own, started once by
deploy/keycloak/start.sh with the generated realms, and filing and alerts instances of the three regions
whose trust file names its realms (issuer and JWKS URI each)."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.contracts.regions import Domain, Region
from tests.conftest import _namespace
from tests.e2e.filing_data import filing_body
from tests.e2e.identity_support import (
    IDENTITY_BASE,
    Provider,
    add_client,
    add_rsa_key,
    remove_rsa_keys_except,
    start_provider,
    trust_file,
)
from tests.helpers import eventually
from tests.instances import Cluster

pytestmark = pytest.mark.e2e
J, Q = Region.JIASHAN, Region.QINGPU
F, A = Domain.FILING, Domain.ALERTS


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
    running = Cluster(identity_prefix, folder, [F, A], env, port_base=IDENTITY_BASE)
    for service in (F, A):
        for region in Region:
            running.start(region, service)
    try:
        running.wait_ready()
        yield running
    finally:
        for key in list(running.procs):
            running.stop(*key)


@pytest.fixture(scope="session")
def own_key(provider):
    """An RSA key of the test's own, imported into Qingpu's realm at the lowest priority: published in the
    realm's JWKS (so the instances trust it as the provider's), never used by Keycloak to sign, and so the
    way to make tokens whose claims Keycloak would never issue (not yet valid, wrong audience...)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = add_rsa_key(provider.admin(), Q.value, "test-own-key", priority=1, key=key)
    return key, kid


def _forged(provider: Provider, own_key, **changes) -> str:
    key, kid = own_key
    now = datetime.now(UTC)
    claims = {
        "iss": provider.issuer(Q),
        "aud": "yrd",
        "sub": "forged",
        "region": "qingpu",
        "realm_access": {"roles": ["agency_system"]},
        "agency": "qingpu-court-system",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    } | changes
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256", headers={"kid": kid})


def _as(cluster: Cluster, region: Region, service: Domain, token: str) -> httpx.Client:
    return cluster.client(region, service, token)


def _refused(answer: httpx.Response, detail: str) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert detail in answer.json()["detail"]


def test_a_client_credentials_token_creates_a_filing_and_reads_it_back(provider, cluster):
    token = provider.client_token(J, "jiashan-court-system")
    created = _as(cluster, J, F, token).post("/filings", json=filing_body(court="qingpu"))
    assert created.status_code == 202, created.text
    filing_id = created.json()["id"]
    read = _as(cluster, J, F, token).get(f"/filings/{filing_id}")
    assert read.status_code == 200, read.text
    assert read.json()["id"] == filing_id and read.json()["court_region"] == "qingpu"


def test_a_valid_token_of_the_issuers_own_keys_passes(provider, cluster, own_key):
    """The control of the forged cases below: the test's own key with honest claims is accepted."""
    answer = _as(cluster, Q, A, _forged(provider, own_key)).get("/alerts")
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"exp": datetime.now(UTC) - timedelta(minutes=1)}, "expired"),
        ({"nbf": datetime.now(UTC) + timedelta(minutes=10)}, "not yet valid"),
        ({"aud": "account"}, "audience"),
        ({"aud": None}, "invalid token"),
        ({"region": "jiashan"}, "region claim does not match issuer"),
    ],
    ids=["expired", "not-yet-valid", "wrong-audience", "no-audience", "region-of-another-issuer"],
)
def test_bad_claims_are_401(provider, cluster, own_key, changes, detail):
    _refused(_as(cluster, Q, A, _forged(provider, own_key, **changes)).get("/alerts"), detail)


def test_a_token_of_an_issuer_not_in_the_trust_list_is_401(provider, cluster):
    admin_token = provider.admin().http.headers["authorization"].split()[1]  # the master realm's
    _refused(_as(cluster, Q, A, admin_token).get("/alerts"), "unknown issuer")


def test_a_token_claiming_another_realms_issuer_is_401(provider, cluster, own_key):
    """Signed by a key of Qingpu's realm but naming Jiashan's issuer: Jiashan's keys do not have it."""
    _refused(
        _as(cluster, J, A, _forged(provider, own_key, iss=provider.issuer(J))).get("/alerts"), "unknown signing key"
    )


def test_an_unknown_kid_is_401(provider, cluster, own_key):
    key, _ = own_key
    claims = jwt.decode(_forged(provider, own_key), options={"verify_signature": False})
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "no-such-key"})
    _refused(_as(cluster, Q, A, token).get("/alerts"), "unknown signing key")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_tampered_token_is_401(provider, cluster):
    token = provider.client_token(Q, "qingpu-law-firm")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["agency"] = "qingpu-police-dispatch"  # another agency's reach, signature kept
    _refused(_as(cluster, Q, A, f"{header}.{_b64(claims)}.{signature}").get("/alerts"), "bad signature")


def test_an_alg_none_token_is_401(provider, cluster):
    token = provider.client_token(Q, "qingpu-law-firm")
    claims = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)
    unsigned = f"{_b64(header | {'alg': 'none'})}.{_b64(claims)}."
    _refused(_as(cluster, Q, A, unsigned).get("/alerts"), "algorithm not accepted")


def test_a_qingpu_realm_token_acting_on_a_jiashan_only_action_is_403(provider, cluster):
    qingpu = provider.client_token(Q, "qingpu-court-system")
    refused = _as(cluster, J, F, qingpu).post("/filings", json=filing_body(court="jiashan"))
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    jiashan = provider.client_token(J, "jiashan-court-system")
    assert _as(cluster, J, F, jiashan).post("/filings", json=filing_body(court="jiashan")).status_code == 202


def test_an_expired_provider_token_is_401(provider, cluster):
    """Keycloak's own expiry: a client whose tokens live one second, presented after the leeway."""
    admin = provider.admin()
    secret = add_client(admin, Q, "short-lived", attributes={"access.token.lifespan": "1"})
    token = provider.client_token(Q, "short-lived", secret)
    time.sleep(7)  # past `exp` and the five seconds of leeway for clock skew
    _refused(_as(cluster, Q, A, token).get("/alerts"), "token expired")


def test_a_key_rotation_at_the_provider_is_followed_without_a_restart(provider, cluster):
    admin = provider.admin()
    before = provider.client_token(Q, "qingpu-police-dispatch")
    assert _as(cluster, Q, A, before).get("/alerts").status_code == 200
    old_kid = jwt.get_unverified_header(before)["kid"]
    unused_old = provider.client_token(Q, "qingpu-police-dispatch")  # signed with the old key, never shown yet

    new_kid = add_rsa_key(admin, Q.value, "rotated", priority=500)
    assert remove_rsa_keys_except(admin, Q.value, keep="rotated")  # the old key (and the test's own) gone
    after = provider.client_token(Q, "qingpu-police-dispatch")
    assert jwt.get_unverified_header(after)["kid"] == new_kid != old_kid

    # The instance refetches the keys on the unknown kid (at most every 2 s in this suite's trust file).
    eventually(lambda: _as(cluster, Q, A, after).get("/alerts").status_code == 200, timeout=20, what="new key")
    _refused(_as(cluster, Q, A, unused_old).get("/alerts"), "unknown signing key")
