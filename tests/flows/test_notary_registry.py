"""The certificate registry across regions (broker-free): a region that relied on a certificate learns of its
later revocation (`revoked_since`, and the issuer counts the verifiers it reached); a corrected certificate
gets a new number and the old one verifies as superseded, naming its successor."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from prometheus_client import REGISTRY

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.filing_data import id_number, sha
from tests.e2e.notary_data import proof_request_body
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


def test_a_corrected_certificate_supersedes_the_old_one_which_names_its_successor(zone_of):
    zone = zone_of(Domain.NOTARY)
    body = {"matter": "contract", "applicant": {"name": "李四", "id_number": id_number()}, "document_sha256": sha("c")}
    old = notary(zone, Q).post("/certificates", json=body).json()["number"]
    corrected = {"reason": "合同金额笔误", "document_sha256": sha("c-corrected")}
    assert notary(zone, W).post(f"/certificates/{old}/reissue", json=corrected).status_code == 403  # not its office
    answer = notary(zone, Q).post(f"/certificates/{old}/reissue", json=corrected)
    assert answer.status_code == 201, answer.text
    new = answer.json()
    assert new["number"] != old and new["replaces"] == old and new["document_sha256"] == sha("c-corrected")
    assert new["applicant_name"] == "李*" and new["matter"] == "contract"  # the same applicant, the same matter

    for region in (J, W):  # everywhere: the old number says it was superseded, and by which
        checked = (
            notary(zone, region)
            .post("/verifications", json={"certificate_number": old, "document_sha256": sha("c")})
            .json()
        )
        assert (checked["result"], checked["successor"]) == ("superseded", new["number"])
        fresh = (
            notary(zone, region)
            .post("/verifications", json={"certificate_number": new["number"], "document_sha256": sha("c-corrected")})
            .json()
        )
        assert (fresh["result"], fresh["successor"]) == ("valid", None)
    seen = notary(zone, W).get(f"/certificates/{old}").json()
    assert (seen["status"], seen["superseded_by"], seen["reason"]) == ("superseded", new["number"], "合同金额笔误")
    again = notary(zone, Q).post(f"/certificates/{old}/reissue", json=corrected)
    assert again.status_code == 409 and again.json()["current_status"] == "superseded"
    superseded = notary(zone, Q).get("/certificates", params={"status": "superseded"}).json()["items"]
    assert [c["number"] for c in superseded] == [old]


def test_the_issuing_office_alone_reads_its_applicant_in_full_with_a_purpose(zone_of):
    zone = zone_of(Domain.NOTARY)
    person = id_number(address="310118", seq="426")
    body = {"matter": "kinship", "applicant": {"name": "陆某某", "id_number": person}, "document_sha256": sha("k")}
    number = notary(zone, Q).post("/certificates", json=body).json()["number"]

    def read(region: Region, purpose: str | None):
        headers = {"x-purpose": purpose} if purpose else {}
        return zone.client(region, token=token(region, Role.NOTARY), **headers).get(f"/certificates/{number}/applicant")

    answer = read(Q, "notarization")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"number": number, "issuer_region": "qingpu", "name": "陆某某", "id_number": person}
    assert read(Q, None).status_code == 403  # no purpose
    assert read(W, "notarization").status_code == 403  # another region's office
    assert notary(zone, Q).get(f"/certificates/{number}").json()["applicant_name"] == "陆**"  # the registry: masked
    with zone.runtime(Q).store.connect() as conn:
        audited = [r[0] for r in conn.execute("SELECT action FROM audit_index WHERE record = ?", (number,))]
    assert audited.count("notary.read_applicant") == 2  # the read and its refusal here, each audited


def test_a_proof_answer_carries_its_document_which_the_requester_fetches_from_the_holder(zone_of):
    zone = zone_of(Domain.NOTARY)
    asked = proof_request_body()
    request_id = notary(zone, Q).post("/proof-requests", json=asked).json()["id"]
    content = "亲属关系证明：沈某与沈某某系父子关系。".encode()
    document = {"name": "亲属关系证明.pdf", "content_type": "application/pdf"}
    answer = {"outcome": "provided", "summary": "父子关系属实", "document_sha256": sha("other")}
    wrong = {**answer, "document": {**document, "content_base64": base64.b64encode(content).decode()}}
    assert notary(zone, J).post(f"/proof-requests/{request_id}/respond", json=wrong).status_code == 422
    right = {**wrong, "document_sha256": hashlib.sha256(content).hexdigest()}
    answered = notary(zone, J).post(f"/proof-requests/{request_id}/respond", json=right)
    assert answered.status_code == 200, answered.text
    assert notary(zone, Q).get(f"/proof-requests/{request_id}").json()["document_name"] == "亲属关系证明.pdf"

    def fetch(region: Region, purpose: str | None = "notarization"):
        headers = {"x-purpose": purpose} if purpose else {}
        client = zone.client(region, token=token(region, Role.NOTARY), **headers)
        return client.get(f"/proof-requests/{request_id}/document")

    got = fetch(Q)  # relayed from Jiashan, which holds the bytes and audits the read
    assert got.status_code == 200, got.text
    assert base64.b64decode(got.json()["content_base64"]) == content
    assert got.json()["sha256"] == hashlib.sha256(content).hexdigest()
    assert fetch(Q, None).status_code == 403 and fetch(W).status_code == 403
    with zone.runtime(J).store.connect() as conn:
        reads = conn.execute(
            "SELECT decision FROM audit_index WHERE record = ? AND action = 'notary.read_proof_document'", (request_id,)
        ).fetchall()
        held_at_qingpu = zone.runtime(Q).store.connect().execute("SELECT count(*) FROM proof_documents").fetchone()[0]
    assert [r[0] for r in reads] == ["allowed"] and held_at_qingpu == 0
