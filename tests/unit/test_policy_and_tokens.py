from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.adapters.tokens import InvalidToken, TrustList, init_dev_keys, load_private_key, mint, verify
from shared.contracts.regions import Region
from shared.rules.policy import (
    POLICY,
    DataClass,
    Role,
    Scope,
    agency_party,
    allowed,
    purpose_allowed,
    scope_of,
    write_scope,
)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    keys_dir = tmp_path_factory.mktemp("keys")
    init_dev_keys(keys_dir)
    return keys_dir, TrustList.load(keys_dir / "trust.json")


def test_a_region_token_verifies_everywhere(keys):
    keys_dir, trust = keys
    token = mint(load_private_key(keys_dir, Region.WUJIANG), Region.WUJIANG, "officer-7", [Role.COURT_OFFICER], "court")
    principal = verify(token, trust)
    assert (principal.subject, principal.region, principal.roles, principal.agency) == (
        "officer-7",
        Region.WUJIANG,
        frozenset({Role.COURT_OFFICER}),
        "court",
    )


def test_expired_token(keys):
    keys_dir, trust = keys
    token = mint(
        load_private_key(keys_dir, Region.QINGPU), Region.QINGPU, "x", [Role.SUPERVISOR], ttl=timedelta(seconds=-60)
    )
    with pytest.raises(InvalidToken, match="expired"):
        verify(token, trust)


def test_signed_by_another_regions_key(keys):
    keys_dir, trust = keys
    token = mint(load_private_key(keys_dir, Region.JIASHAN), Region.QINGPU, "x", [Role.SUPERVISOR])
    with pytest.raises(InvalidToken, match="bad signature"):
        verify(token, trust)


def test_unknown_issuer_and_alg_none(keys):
    _, trust = keys
    stranger = mint(Ed25519PrivateKey.generate(), Region.QINGPU, "x", [Role.SUPERVISOR])
    forged_iss = jwt.encode(
        {**jwt.decode(stranger, options={"verify_signature": False}), "iss": "elsewhere"},
        Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
    )
    with pytest.raises(InvalidToken, match="unknown issuer"):
        verify(forged_iss, trust)
    unsigned = jwt.encode(jwt.decode(stranger, options={"verify_signature": False}), None, algorithm="none")
    with pytest.raises(InvalidToken, match="algorithm"):
        verify(unsigned, trust)


def test_hmac_token_with_public_key_as_secret_is_refused(keys):
    _, trust = keys
    claims = {"iss": "yrd:qingpu", "sub": "x", "region": "qingpu", "roles": ["supervisor"]}
    with pytest.raises(InvalidToken, match="algorithm"):
        verify(jwt.encode(claims, "secret-guess-long-enough-for-hs256!!", algorithm="HS256"), trust)


def test_deny_by_default():
    assert not allowed(frozenset({Role.OPERATOR}), "filing.read", Scope.OWN)
    assert not allowed(frozenset({Role.COURT_OFFICER}), "no.such.action", Scope.OWN)
    assert allowed(frozenset({Role.COURT_OFFICER}), "filing.decide", Scope.OWN)
    assert not allowed(frozenset({Role.COURT_OFFICER}), "filing.decide", Scope.OTHER)


def test_operators_see_metrics_and_the_operations_page_not_records():
    granted = {action for action, grants in POLICY.items() if Role.OPERATOR in grants}
    assert granted == {"ops.metrics", "ops.console"}


def test_no_region_acts_through_another_regions_instance():
    assert write_scope("jiashan", "qingpu", "qingpu") == {Scope.ELSEWHERE}
    assert write_scope("qingpu", "qingpu", "qingpu") == {Scope.OWN}
    assert write_scope("jiashan", "jiashan", "qingpu", involved=True) == {Scope.INVOLVED}


def test_a_region_can_own_and_be_involved_at_once():
    assert scope_of("qingpu", "qingpu", involved=True) == {Scope.OWN, Scope.INVOLVED}
    assert scope_of("wujiang", "qingpu") == {Scope.OTHER}


def test_full_parties_only_for_the_court_officer_and_the_receiving_clerk():
    """Scoped to the holder (the receiving window); the court region is involved."""
    officer, clerk = frozenset({Role.COURT_OFFICER}), frozenset({Role.WINDOW_CLERK})
    cross = {"jiashan": scope_of("jiashan", "jiashan"), "qingpu": scope_of("qingpu", "jiashan", involved=True)}
    assert not allowed(officer, "filing.read_parties", cross["jiashan"])  # the window region's court
    assert allowed(officer, "filing.read_parties", cross["qingpu"])
    assert allowed(clerk, "filing.read_parties", cross["jiashan"])
    assert not allowed(clerk, "filing.read_parties", cross["qingpu"])  # the court region's window
    same_region = scope_of("qingpu", "qingpu", involved=True)
    assert allowed(officer, "filing.read_parties", same_region) and allowed(clerk, "filing.read_parties", same_region)


def test_agency_systems_act_only_on_their_agencys_records():
    system = frozenset({Role.AGENCY_SYSTEM})
    assert allowed(system, "filing.read", Scope.OWN, agency_party=True)
    assert not allowed(system, "filing.read", Scope.OWN, agency_party=False)
    assert allowed(system, "notary.read", Scope.OTHER, agency_party=False)  # the shared registry
    assert agency_party("court-system-a", ["court-system-a"])
    assert not agency_party("court-system-b", ["court-system-a"])
    assert not agency_party(None, ["court-system-a"])
    assert agency_party("court-system-a", None)  # a record it is creating
    assert not agency_party(None, None)
    # other roles are not bound to an agency
    assert allowed(frozenset({Role.WINDOW_CLERK}), "filing.read", Scope.OWN, agency_party=False)


def test_purposes():
    assert purpose_allowed(DataClass.FILING_PARTIES, "case-review")
    assert not purpose_allowed(DataClass.FILING_PARTIES, "supervision")
    assert not purpose_allowed(DataClass.FILING_PARTIES, None)


def test_a_list_is_filtered_as_record_by_record_deciding_each_set_of_regions_and_agencies_once():
    import sqlite3

    from services.filing.ownership import FILING
    from shared.adapters.tokens import Principal
    from shared.core.access import Access
    from shared.rules.ownership import RecordKind

    rows = [
        {"id": str(n), "court_region": court, "receiving_region": window, "agency": agency}
        for n, (court, window, agency) in enumerate(
            [(c, w, a) for c in ("qingpu", "wujiang") for w in ("jiashan", "wujiang") for a in (None, "court-sys")] * 3
        )
    ]
    asked: list[str] = []
    seen: dict[tuple[str, bool], int] = {}
    kind_asking_the_store = RecordKind(
        "filing", "court_region", ("receiving_region",), lambda conn, r, region: asked.append(r["id"]) or False
    )
    for principal in (
        Principal("clerk", Region.JIASHAN, frozenset({Role.WINDOW_CLERK})),
        Principal("judge", Region.QINGPU, frozenset({Role.COURT_OFFICER})),
        Principal("system", Region.WUJIANG, frozenset({Role.AGENCY_SYSTEM}), agency="court-sys"),
    ):
        access = Access(sqlite3.connect(":memory:"), principal.region, "c", principal)
        for kind in (FILING, kind_asking_the_store):
            before = len(asked)
            one_by_one = [r for r in rows if access.may_read("filing.read", kind, r)]
            asked_one_by_one = len(asked) - before
            assert access.readable("filing.read", kind, rows) == one_by_one
            # a kind that asks the store is asked about every row as before; no answer of it is reused
            assert len(asked) - before == 2 * asked_one_by_one
            seen[principal.subject, kind is FILING] = len(one_by_one)
    assert seen["clerk", True] == len(rows) and 0 < seen["system", True] < len(rows)  # its agency's only
    assert asked
