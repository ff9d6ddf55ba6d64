"""A region that relied on a certificate learns of its later revocation (broker-free): its verifications made
before the revocation are found by `revoked_since`, and the issuer counts the verifiers it reached."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import REGISTRY

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.filing_data import id_number, sha
from tests.instances import token

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG


def notary(zone, region: Region):
    return zone.client(region, token=token(region, Role.NOTARY))


def verify(zone, region: Region, number: str) -> dict:
    answer = notary(zone, region).post(
        "/verifications", json={"certificate_number": number, "document_sha256": sha("c")}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def relied_on(zone, region: Region, since: str) -> list[dict]:
    query = {"verifier_region": region.value, "revoked_since": since}
    answer = notary(zone, region).get("/verifications", params=query)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_verifiers_see_a_later_revocation_and_the_issuer_counts_them(zone_of):
    zone = zone_of(Domain.NOTARY)
    body = {"matter": "contract", "applicant": {"name": "李四", "id_number": id_number()}, "document_sha256": sha("c")}
    number = notary(zone, Q).post("/certificates", json=body).json()["number"]
    assert verify(zone, W, number)["result"] == "valid"
    assert verify(zone, J, number)["result"] == "valid"
    since = datetime.now(UTC).isoformat()
    assert relied_on(zone, W, since) == []  # nothing revoked yet

    assert notary(zone, Q).post(f"/certificates/{number}/revoke", json={"reason": "申请人撤回"}).status_code == 200
    assert verify(zone, W, number)["result"] == "revoked"  # afterwards: not a verification that relied on it

    relied = relied_on(zone, W, since)
    assert [(v["number"], v["result"]) for v in relied] == [(number, "valid")]
    assert relied[0]["certificate_revoked_at"] is not None
    assert relied_on(zone, W, datetime.now(UTC).isoformat()) == []  # revoked before that instant

    for refresh in zone.runtime(Q).gauges:  # what a scrape of the issuer's /metrics does
        refresh()
    reached = {
        verifier: REGISTRY.get_sample_value(
            "yrd_notary_revoked_after_verification", {"region": "qingpu", "verifier": verifier}
        )
        for verifier in ("jiashan", "wujiang")
    }
    assert reached == {"jiashan": 1.0, "wujiang": 1.0}
