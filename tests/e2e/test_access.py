"""Who may do what, asserted against the running services: 401 for every bad token on every /v1
endpoint, the policy table as a generated matrix, denials audited, audit tampering detected."""

from __future__ import annotations

import itertools
import re
import sqlite3
import subprocess
import sys
from datetime import timedelta

import httpx
import jwt
import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.auth.policy import Role, allowed, scope_of, write_scope
from shared.regions import Region, Service
from tests.e2e.conftest import token
from tests.e2e.filing_data import filing_body
from tests.helpers import eventually

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
F = Service.FILING
A = Service.ALERTS
N = Service.NOTARY
C = Service.CORRECTIONS


def bad_tokens() -> dict[str, str]:
    good = token(Q, Role.SUPERVISOR)
    claims = jwt.decode(good, options={"verify_signature": False})
    return {
        "expired": token(Q, Role.SUPERVISOR, ttl=timedelta(seconds=-120)),
        "bad-signature": good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
        "alg-none": jwt.encode(claims, None, algorithm="none"),
        "unknown-issuer": jwt.encode(
            {**claims, "iss": "yrd:hangzhou"}, Ed25519PrivateKey.generate(), algorithm="EdDSA"
        ),
        "foreign-key": jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA"),
        "garbage": "not-a-jwt",
    }


def v1_operations(base_url: str) -> list[tuple[str, str]]:
    spec = httpx.get(base_url + "/openapi.json").json()
    return [(method.upper(), path) for path, ops in spec["paths"].items() if path.startswith("/v1") for method in ops]


@pytest.mark.parametrize(
    ("cluster_fixture", "service"),
    [("filing_cluster", F), ("alerts_cluster", A), ("notary_cluster", N), ("corrections_cluster", C)],
)
def test_every_v1_endpoint_refuses_missing_and_bad_tokens(request, cluster_fixture, service):
    cluster = request.getfixturevalue(cluster_fixture)
    base = cluster.url(Q, service)
    operations = v1_operations(base)
    assert len(operations) >= 9
    for (method, path), (kind, bad) in itertools.product(operations, [("missing", None), *bad_tokens().items()]):
        url = base + re.sub(r"\{[a-z_]+\}", "00000000-0000-0000-0000-000000000000", path)
        headers = {"authorization": f"Bearer {bad}"} if bad else {}
        response = httpx.request(method, url, headers=headers, json={})
        assert response.status_code == 401, f"{kind} token on {method} {path}: {response.status_code}"
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.fixture(scope="module")
def filings(filing_cluster):
    """One filing per court, received and accepted by its court: a fixed target for every decision attempt."""
    made = {}
    for court in Region:
        body = filing_body(court=court.value)
        filing_id = filing_cluster.client(J, F, token(J, Role.WINDOW_CLERK)).post("/filings", json=body).json()["id"]
        court_officer = filing_cluster.client(court, F, token(court, Role.COURT_OFFICER))
        eventually(
            lambda c=court_officer, f=filing_id: c.get(f"/filings/{f}").json().get("status") == "received",
            what="receipt",
        )
        assert court_officer.post(f"/filings/{filing_id}/accept").status_code == 200
        made[court] = filing_id
    for region, filing_id in itertools.product(Region, made.values()):
        reader = filing_cluster.client(region, F, token(region, Role.SUPERVISOR))
        eventually(
            lambda r=reader, f=filing_id: r.get(f"/filings/{f}").json().get("status") == "accepted",
            what="acceptance everywhere",
        )
    return made


ROLES = list(Role)


@pytest.mark.parametrize(("role", "acting", "court"), list(itertools.product(ROLES, Region, Region)))
def test_policy_matrix_decide_and_read(filing_cluster, filings, role, acting, court):
    """At the court's instance, with a token from `acting`: decide (accepted → 409 if allowed) and read."""
    filing_id = filings[court]
    client = filing_cluster.client(court, F, token(acting, role))

    decide = client.post(f"/filings/{filing_id}/reject", json={"reason": "r"})
    may_decide = allowed(frozenset({role}), "filing.decide", write_scope(acting.value, court.value, court.value))
    assert decide.status_code == (409 if may_decide else 403), decide.text
    if decide.status_code == 403:
        assert set(decide.json()) <= {"type", "title", "status", "detail", "instance"}  # no record fields

    read = client.get(f"/filings/{filing_id}")
    involved = acting == J  # every fixture filing was received at the Jiashan window
    may_read = allowed(frozenset({role}), "filing.read", scope_of(acting.value, court.value, involved))
    assert read.status_code == (200 if may_read else 403), read.text


@pytest.mark.parametrize(("role", "acting", "instance"), list(itertools.product(ROLES, Region, Region)))
def test_policy_matrix_submit(filing_cluster, role, acting, instance):
    response = filing_cluster.client(instance, F, token(acting, role)).post("/filings", json=filing_body())
    may = allowed(frozenset({role}), "filing.submit", write_scope(acting.value, instance.value, instance.value))
    assert response.status_code == (202 if may else 403), response.text


def test_a_denied_read_leaves_an_audit_entry(filing_cluster, filings):
    operator = filing_cluster.client(Q, F, token(Q, Role.OPERATOR, subject="ops-on-call"))
    assert operator.get(f"/filings/{filings[Q]}").status_code == 403
    supervisor = filing_cluster.client(Q, F, token(Q, Role.SUPERVISOR), **{"x-purpose": "audit-review"})
    entries = supervisor.get("/audit", params={"actor": "ops-on-call"}).json()["items"]
    assert entries[0]["decision"] == "denied"
    assert entries[0]["action"] == "filing.read"
    assert entries[0]["record"] == filings[Q]


def test_audit_needs_a_supervisor_of_that_region_and_a_purpose(filing_cluster):
    assert filing_cluster.client(Q, F, token(Q, Role.SUPERVISOR)).get("/audit").status_code == 403
    other = filing_cluster.client(Q, F, token(J, Role.SUPERVISOR), **{"x-purpose": "audit-review"})
    assert other.get("/audit").status_code == 403
    clerk = filing_cluster.client(Q, F, token(Q, Role.WINDOW_CLERK), **{"x-purpose": "audit-review"})
    assert clerk.get("/audit").status_code == 403


def test_altering_one_stored_audit_entry_is_detected_at_its_index(filing_cluster, filings, tmp_path):
    db = filing_cluster.db(W, F)
    verify = [sys.executable, "-m", "shared.cli", "audit", "verify", "--region", "wujiang", "--service", "filing"]
    env = filing_cluster.env()
    intact = subprocess.run(verify, env=env, capture_output=True, text=True)
    assert intact.returncode == 0, intact.stderr
    conn = sqlite3.connect(db)
    index, raw = conn.execute("SELECT idx, entry FROM audit_log ORDER BY idx LIMIT 1 OFFSET 1").fetchone()
    entry = orjson.loads(raw)
    entry["decision"] = "allowed" if entry["decision"] == "denied" else "denied"
    conn.execute("UPDATE audit_log SET entry = ? WHERE idx = ?", (orjson.dumps(entry), index))
    conn.commit()
    conn.close()
    broken = subprocess.run(verify, env=env, capture_output=True, text=True)
    assert broken.returncode == 1
    assert f"broken at entry {index}: content altered" in broken.stderr


@pytest.fixture(scope="module")
def alerts(alerts_cluster):
    """A Wujiang alert targeting Jiashan and Qingpu (acknowledged by both), and a closed one."""
    from tests.e2e.test_alerts import alert_body

    owner = alerts_cluster.client(W, A, token(W, Role.POLICE_OFFICER))
    open_id = owner.post("/alerts", json=alert_body(severity="IV")).json()["id"]
    closed_id = owner.post("/alerts", json=alert_body(severity="IV")).json()["id"]
    assert owner.post(f"/alerts/{closed_id}/close", json={"outcome": "cancelled"}).status_code == 200
    for region in Region:
        client = alerts_cluster.client(region, A, token(region, Role.POLICE_OFFICER))
        eventually(
            lambda c=client: c.get(f"/alerts/{closed_id}").json().get("status") == "cancelled",
            what="the alerts everywhere",
        )
    for region in (J, Q):
        client = alerts_cluster.client(region, A, token(region, Role.POLICE_OFFICER))
        assert client.post(f"/alerts/{open_id}/ack").status_code == 200
    return {"open": open_id, "closed": closed_id, "targets": {"jiashan", "qingpu"}}


@pytest.mark.parametrize(("role", "acting", "instance"), list(itertools.product(ROLES, Region, Region)))
def test_policy_matrix_alerts(alerts_cluster, alerts, role, acting, instance):
    """Acknowledge an already-acknowledged alert (409 if allowed) and close a closed one (409 if allowed)."""
    client = alerts_cluster.client(instance, A, token(acting, role))
    involved = instance.value in alerts["targets"]

    ack = client.post(f"/alerts/{alerts['open']}/ack")
    may_ack = allowed(
        frozenset({role}), "alerts.acknowledge", write_scope(acting.value, instance.value, "wujiang", involved)
    )
    assert ack.status_code == (409 if may_ack else 403), ack.text

    close = client.post(f"/alerts/{alerts['closed']}/close", json={"outcome": "resolved"})
    may_close = allowed(frozenset({role}), "alerts.manage", write_scope(acting.value, instance.value, "wujiang"))
    assert close.status_code == (409 if may_close else 403), close.text

    read = client.get(f"/alerts/{alerts['open']}")
    may_read = allowed(
        frozenset({role}), "alerts.read", scope_of(acting.value, "wujiang", acting.value in alerts["targets"])
    )
    assert read.status_code == (200 if may_read else 403), read.text


@pytest.fixture(scope="module")
def certificates(notary_cluster):
    """A revoked Qingpu certificate everyone knows, and a Jiashan→Wujiang proof request already answered."""
    from tests.e2e.filing_data import id_number, sha

    issuer = notary_cluster.client(Q, N, token(Q, Role.NOTARY))
    body = {"matter": "birth", "applicant": {"name": "陈七", "id_number": id_number()}, "document_sha256": sha("b")}
    number = issuer.post("/certificates", json=body).json()["number"]
    assert issuer.post(f"/certificates/{number}/revoke", json={"reason": "r"}).status_code == 200
    request_id = (
        notary_cluster.client(J, N, token(J, Role.NOTARY))
        .post(
            "/proof-requests",
            json={
                "holding_region": "wujiang",
                "proof_type": "kinship",
                "subject_name": "陈七",
                "subject_id_number": id_number(),
                "purpose": "p",
                "application_ref": "a",
            },
        )
        .json()["id"]
    )
    holder = notary_cluster.client(W, N, token(W, Role.NOTARY))
    eventually(lambda: holder.get(f"/proof-requests/{request_id}").status_code == 200, what="request at the holder")
    assert holder.post(f"/proof-requests/{request_id}/respond", json={"outcome": "not_found"}).status_code == 200
    for region in Region:  # read the stores: a region outside the request may not read it over the API

        def settled(r=region) -> bool:
            with sqlite3.connect(notary_cluster.db(r, N)) as conn:
                revoked = conn.execute("SELECT status FROM certificates WHERE id = ?", (number,)).fetchone()
                answered = conn.execute("SELECT status FROM proof_requests WHERE id = ?", (request_id,)).fetchone()
            return revoked == ("revoked",) and answered == ("not_found",)

        eventually(settled, what=f"revocation and answer in {region.value}")
    return {"number": number, "request": request_id}


@pytest.mark.parametrize(("role", "acting", "instance"), list(itertools.product(ROLES, Region, Region)))
def test_policy_matrix_notary(notary_cluster, certificates, role, acting, instance):
    client = notary_cluster.client(instance, N, token(acting, role))
    roles = frozenset({role})

    revoke = client.post(f"/certificates/{certificates['number']}/revoke", json={"reason": "r"})
    may_revoke = allowed(roles, "notary.revoke", write_scope(acting.value, instance.value, "qingpu"))
    assert revoke.status_code == (409 if may_revoke else 403), revoke.text

    verify = client.post(
        "/verifications", json={"certificate_number": certificates["number"], "document_sha256": "0" * 64}
    )
    may_verify = allowed(roles, "notary.verify", write_scope(acting.value, instance.value, instance.value))
    assert verify.status_code == (200 if may_verify else 403), verify.text
    if may_verify:
        assert verify.json()["result"] == "revoked"

    answer = client.post(f"/proof-requests/{certificates['request']}/respond", json={"outcome": "not_found"})
    involved = instance == W
    scope = write_scope(acting.value, instance.value, "jiashan", involved)
    may_answer = allowed(roles, "notary.answer_proof", scope) and (involved or scope.value != "own")
    assert answer.status_code == (409 if may_answer else 403), answer.text


@pytest.fixture(scope="module")
def released_subject(corrections_cluster):
    """A released Jiashan subject every region knows."""
    from tests.e2e.test_corrections import enrol

    subject, number = enrol(corrections_cluster, J, "孙悟", born="19660606", seq="975")
    home = corrections_cluster.client(J, C, token(J, Role.CORRECTIONS_OFFICER))
    assert home.post(f"/subjects/{subject['id']}/release").status_code == 200
    for region in Region:

        def released(r=region) -> bool:
            with sqlite3.connect(corrections_cluster.db(r, C)) as conn:
                row = conn.execute("SELECT status FROM subjects WHERE id = ?", (subject["id"],)).fetchone()
            return row == ("released",)

        eventually(released, what=f"release in {region.value}")
    return subject["id"], number


@pytest.mark.parametrize(("role", "acting", "instance"), list(itertools.product(ROLES, Region, Region)))
def test_policy_matrix_corrections(corrections_cluster, released_subject, role, acting, instance):
    subject_id, number = released_subject
    roles = frozenset({role})
    client = corrections_cluster.client(instance, C, token(acting, role), **{"x-purpose": "supervision"})

    release = client.post(f"/subjects/{subject_id}/release")
    may_manage = allowed(roles, "corrections.manage", write_scope(acting.value, instance.value, "jiashan"))
    assert release.status_code == (409 if may_manage else 403), release.text

    lookup = client.post("/subjects/lookup", json={"id_number": number})
    may_lookup = allowed(roles, "corrections.lookup", write_scope(acting.value, instance.value, instance.value))
    assert lookup.status_code == (200 if may_lookup else 403), lookup.text

    detail = client.get(f"/subjects/{subject_id}/detail")
    may_detail = allowed(roles, "corrections.read_detail", scope_of(acting.value, "jiashan"))  # no live movement
    assert detail.status_code == (200 if may_detail else 403), detail.text
