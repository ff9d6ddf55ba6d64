"""The identity provider's generated realms, and what the trust list makes of a provider's tokens without
fetching a key (the end-to-end suite, tests/e2e/test_identity.py, verifies real Keycloak tokens)."""

from __future__ import annotations

import json

import jwt
import pytest

from shared.adapters.idp import realms
from shared.adapters.oidc import OidcRefused, Provider, claim, keycloak_entry
from shared.adapters.tokens import (
    InvalidToken,
    TrustList,
    init_dev_keys,
    load_private_key,
    mint,
    verify,
    with_dev_providers,
)
from shared.contracts.agencies import AGENCIES, AgencyKind, agencies_of
from shared.contracts.regions import Domain, Region
from shared.rules.broker_access import ADMIN, CONTROLLER, agency_principal, mirror_principal, service_principal
from shared.rules.policy import Role


@pytest.mark.parametrize("region", list(Region))
def test_committed_realm_files_are_what_the_generator_makes(region):
    assert realms.realm_file(region).read_text() == realms.rendered(region), (
        "deploy/keycloak/realms drifted: run `python -m shared.adapters.idp.realms`"
    )


@pytest.mark.parametrize("region", list(Region))
def test_realm_has_the_policy_roles_a_user_each_and_a_client_per_agency(region):
    document = realms.realm(region)
    assert document["realm"] == region.value
    assert document["accessTokenLifespan"] == 300
    assert [r["name"] for r in document["roles"]["realm"]] == [r.value for r in Role]
    people = [u for u in document["users"] if "serviceAccountClientId" not in u]
    assert {u["username"]: u["realmRoles"] for u in people} == {r.value: [r.value] for r in Role}
    clients = {c["clientId"]: c for c in document["clients"]}
    for page in ("yrd-console", "yrd-desk"):
        assert clients[page]["publicClient"] is True
        assert clients[page]["attributes"]["pkce.code.challenge.method"] == "S256"
    for agency in agencies_of(region):
        client = clients[agency.id]
        assert client["serviceAccountsEnabled"] is True and client["publicClient"] is False
        mapped = {m["config"].get("claim.name"): m["config"].get("claim.value") for m in client["protocolMappers"]}
        assert mapped["region"] == region.value and mapped["agency"] == agency.id
        audience = [m for m in client["protocolMappers"] if m["protocolMapper"] == "oidc-audience-mapper"]
        assert audience[0]["config"]["included.custom.audience"] == "yrd"
    accounts = {
        u["serviceAccountClientId"]: u["realmRoles"] for u in document["users"] if "serviceAccountClientId" in u
    }
    zone = {cid: [role.value] for cid, (home, role, _) in realms.ZONE_CLIENTS.items() if home is region}
    assert accounts == {a.id: ["agency_system"] for a in agencies_of(region)} | zone
    assert f"{region.value}-court-system" in clients
    for client_id in zone:  # no agency claim: the zone's program acts as its role in its region, for no agency
        mapped = {m["config"].get("claim.name") for m in clients[client_id]["protocolMappers"]}
        assert clients[client_id]["publicClient"] is False and "agency" not in mapped


def test_committed_realms_hold_no_secret():
    for region in Region:
        text = realms.realm_file(region).read_text()
        assert '"secret"' not in text and '"credentials"' not in text and '"value"' not in text


def test_no_agency_is_named_as_another_broker_principal():
    """An agency's id is its broker principal: it must never be a service's, a MirrorMaker's or the admin's."""
    others = {ADMIN, CONTROLLER} | {service_principal(r, d) for r in Region for d in Domain}
    others |= {mirror_principal(r) for r in Region} | {agency_principal(r) for r in Region}
    assert others.isdisjoint(AGENCIES)


def test_every_region_catalogues_a_court_system_and_ids_are_unique_per_region():
    for region in Region:
        kinds = {a.kind for a in agencies_of(region)}
        assert AgencyKind.COURT in kinds and AgencyKind.POLICE in kinds
    assert all(a.id.startswith(a.region.value + "-") for a in AGENCIES.values())


def test_claims_by_dotted_path():
    claims = {"realm_access": {"roles": ["notary"]}, "region": "qingpu"}
    assert claim(claims, "realm_access.roles") == ["notary"]
    assert claim(claims, "region") == "qingpu"
    assert claim(claims, "realm_access.missing") is None
    assert claim(claims, "region.deeper") is None
    assert claim(claims, None) is None


def test_a_provider_maps_its_own_role_names_and_leaves_out_roles_the_policy_does_not_know():
    provider = Provider.of(
        Region.WUJIANG,
        keycloak_entry("http://127.0.0.1:1", Region.WUJIANG)
        | {"claims": {"roles": "groups", "region": None, "agency": "org"}, "role_map": {"clerks": "window_clerk"}},
    )
    found = provider._mapped({"sub": "u1", "groups": ["clerks", "notary", "offline_access"], "org": "x", "exp": 9})
    assert found.roles == frozenset({Role.WINDOW_CLERK, Role.NOTARY})
    assert found.region is Region.WUJIANG and found.agency == "x" and found.subject == "u1"


def test_region_claim_must_name_the_issuers_region():
    provider = Provider.of(Region.QINGPU, keycloak_entry("http://127.0.0.1:1", Region.QINGPU))
    with pytest.raises(Exception, match="region claim"):
        provider._mapped({"sub": "u", "region": "jiashan", "exp": 9})


@pytest.mark.parametrize("algorithms", [["none"], ["HS256"], [], ["RS256", "none"]])
def test_a_trust_entry_names_asymmetric_algorithms_only(algorithms):
    with pytest.raises(ValueError):
        Provider.of(Region.QINGPU, keycloak_entry("http://127.0.0.1:1", Region.QINGPU) | {"algorithms": algorithms})


def _trust_with_providers(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    public = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    path = tmp_path / "trust.json"
    path.write_text(
        json.dumps({"regions": {r.value: {"issuer": f"yrd:{r.value}", "public_key": public.decode()} for r in Region}})
    )
    assert with_dev_providers(path, "http://127.0.0.1:1") is True
    assert with_dev_providers(path, "http://127.0.0.1:1") is False  # once
    return TrustList.load(path)


def test_a_development_trust_file_names_each_realm(tmp_path):
    trust = _trust_with_providers(tmp_path)
    assert {p.region: p.issuer for p in trust.providers.values()} == {
        r: f"http://127.0.0.1:1/realms/{r.value}" for r in Region
    }


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_a_provider_token_of_a_refused_algorithm_is_refused_before_any_key_is_fetched(tmp_path, alg):
    trust = _trust_with_providers(tmp_path)  # its JWKS URIs answer nothing: no fetch may be tried
    claims = {"iss": "http://127.0.0.1:1/realms/qingpu", "aud": "yrd", "sub": "x", "region": "qingpu", "exp": 2**40}
    token = jwt.encode(claims, "k" * 32 if alg == "HS256" else None, algorithm=alg, headers={"kid": "k1"})
    with pytest.raises(InvalidToken, match="algorithm not accepted"):
        verify(token, trust)


def test_an_agency_catalogued_in_another_region_is_refused_and_an_uncatalogued_one_kept():
    provider = Provider.of(Region.QINGPU, keycloak_entry("http://127.0.0.1:1", Region.QINGPU))
    claims = {"sub": "s", "region": "qingpu", "exp": 9, "realm_access": {"roles": ["agency_system"]}}
    with pytest.raises(OidcRefused, match="agency jiashan-police-dispatch is not of the token's region"):
        provider._mapped(claims | {"agency": "jiashan-police-dispatch"})
    assert provider._mapped(claims | {"agency": "qingpu-police-dispatch"}).agency == "qingpu-police-dispatch"
    assert provider._mapped(claims | {"agency": "court-system-a"}).agency == "court-system-a"  # the party rule


def test_a_development_token_claiming_another_regions_agency_is_refused(tmp_path):
    init_dev_keys(tmp_path)
    trust = TrustList.load(tmp_path / "trust.json")
    key = load_private_key(tmp_path, Region.QINGPU)
    with pytest.raises(InvalidToken, match="not of the token's region"):
        verify(mint(key, Region.QINGPU, "s", [Role.AGENCY_SYSTEM], "jiashan-police-dispatch"), trust)
    own = verify(mint(key, Region.QINGPU, "s", [Role.AGENCY_SYSTEM], "qingpu-police-dispatch"), trust)
    assert own.agency == "qingpu-police-dispatch"
