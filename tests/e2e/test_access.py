"""Who may do what, asserted against the running services: 401 for every bad token on every /v1
endpoint, the policy table as a generated matrix, denials audited, audit tampering detected."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from datetime import timedelta

import httpx
import jwt
import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.backends import sqlite_store
from tests.e2e.filing_data import filing_body
from tests.helpers import eventually
from tests.instances import token

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
F = Domain.FILING
A = Domain.ALERTS
N = Domain.NOTARY
C = Domain.CORRECTIONS


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
    operator = filing_cluster.client(W, F, token(W, Role.OPERATOR, subject="tamper-probe"))
    for _ in range(2):  # two audited denials, so the chain has entries on both sides of the one altered
        assert operator.get(f"/filings/{filings[W]}").status_code == 403
    db = filing_cluster.db(W, F)
    verify = [
        sys.executable,
        "-m",
        "yrd.cli",
        "audit",
        "verify",
        "--region",
        "wujiang",
        "--service",
        "filing",
    ]
    env = filing_cluster.env()
    intact = subprocess.run(verify, env=env, capture_output=True, text=True)
    assert intact.returncode == 0, intact.stderr
    with sqlite_store(db) as conn:
        index, raw = conn.execute(
            "SELECT l.idx, l.entry FROM audit_log l JOIN audit_index i ON i.idx = l.idx "
            "WHERE i.actor = 'tamper-probe' ORDER BY l.idx LIMIT 1"
        ).fetchone()
        entry = orjson.loads(raw)
        entry["decision"] = "allowed" if entry["decision"] == "denied" else "denied"
        conn.execute("UPDATE audit_log SET entry = ? WHERE idx = ?", (orjson.dumps(entry), index))
    broken = subprocess.run(verify, env=env, capture_output=True, text=True)
    assert broken.returncode == 1
    assert f"broken at entry {index}: content altered" in broken.stderr


def test_removing_the_newest_audit_entries_is_caught_against_the_audit_topic(filing_cluster, filings):
    operator = filing_cluster.client(J, F, token(J, Role.OPERATOR, subject="truncation-probe"))
    assert operator.get(f"/filings/{filings[J]}").status_code == 403  # one more audited denial at jiashan
    db = filing_cluster.db(J, F)

    def published() -> bool:
        with sqlite_store(db) as conn:
            return conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 0

    eventually(published, what="the audit entries on the topic")
    verify = [
        sys.executable,
        "-m",
        "yrd.cli",
        "audit",
        "verify",
        "--region",
        "jiashan",
        "--service",
        "filing",
    ]
    intact = subprocess.run(verify, env=filing_cluster.env(), capture_output=True, text=True)
    assert intact.returncode == 0 and "matched on the audit topic" in intact.stdout, intact.stderr
    with sqlite_store(db) as conn:
        last = conn.execute("SELECT max(idx) FROM audit_log").fetchone()[0]
        conn.execute("DELETE FROM audit_index WHERE idx = ?", (last,))
        conn.execute("DELETE FROM audit_log WHERE idx = ?", (last,))
    broken = subprocess.run(verify, env=filing_cluster.env(), capture_output=True, text=True)
    assert broken.returncode == 1
    assert f"broken at entry {last}: published to the audit topic but missing here" in broken.stderr


def test_metrics_are_for_this_regions_operators_and_health_is_open(filing_cluster):
    base = filing_cluster.url(Q, F)
    assert httpx.get(base + "/healthz").status_code == 200
    assert httpx.get(base + "/readyz").json()["checks"] == {"store": True, "workers": True, "kafka": True}
    assert httpx.get(base + "/metrics").status_code == 401

    def scrape(region: Region, role: Role) -> int:
        return httpx.get(base + "/metrics", headers={"authorization": f"Bearer {token(region, role)}"}).status_code

    assert scrape(Q, Role.OPERATOR) == 200
    assert scrape(Q, Role.SUPERVISOR) == 200
    assert scrape(J, Role.OPERATOR) == 403  # another region's operator
    assert scrape(Q, Role.WINDOW_CLERK) == 403


def test_the_demo_walks_through_all_six_services(
    filing_cluster, alerts_cluster, notary_cluster, corrections_cluster, enforcement_cluster, procuratorate_cluster
):
    import subprocess
    import sys

    from tests.instances import PORT_BASE

    result = subprocess.run(
        [sys.executable, "-m", "yrd.cli", "demo", "--port-base", str(PORT_BASE)],
        env=filing_cluster.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "docket number (" in out and "沪0118民初" in out
    assert "acknowledged so far: jiashan" in out
    assert "Wujiang verifies the original: valid" in out and "an altered copy: hash_mismatch" in out
    assert "Qingpu asks for the full record: 403" in out
    assert "during the approved trip Qingpu reads it, supervised by 嘉善县某司法所" in out
    assert "released at the end of the demo: released" in out
    assert "ordinary ¥10,000-40,000" in out and "all three approve v1: adopted, in force in Wujiang" in out
    assert "first offence ¥25,000: tier ordinary ¥10,000-40,000, within it, 50% of the way up: final" in out
    assert "Jiashan's similar cases (ordinary): Wujiang 1, median ¥25,000" in out
    assert "Jiashan asks who was fined: 403" in out
    assert "Wujiang's chief accepts it; Qingpu sees: accepted, case 吴检受〔" in out
    assert "a Wujiang prosecutor fetches it from qingpu (purpose prosecution): identical" in out
    receipts = "submitted (qingpu), relayed (wujiang), delivered (wujiang), retrieved (wujiang)"
    assert f"Qingpu's signed delivery receipts: {receipts}; export signed by qingpu" in out
