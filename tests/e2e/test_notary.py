"""Notary linkage over HTTP against three running instances: mutual recognition of certificates, and
proofs shared instead of paper."""

from __future__ import annotations

import base64
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.filing_data import id_number, sha
from tests.e2e.notary_data import proof_request_body
from tests.helpers import eventually
from tests.instances import token

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
N = Domain.NOTARY


def notary(cluster, region, **headers):
    return cluster.client(region, N, token(region, Role.NOTARY), **headers)


def issue(cluster, region, document="contract-v1", **extra):
    body = {
        "matter": "contract",
        "applicant": {"name": "李四", "id_number": id_number(address="310118")},
        "document_sha256": sha(document),
        **extra,
    }
    response = notary(cluster, region).post("/certificates", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def verify(cluster, region, number, document="contract-v1"):
    response = notary(cluster, region).post(
        "/verifications", json={"certificate_number": number, "document_sha256": sha(document)}
    )
    assert response.status_code == 200, response.text
    return response.json()


def known_in(cluster, region, number):
    return notary(cluster, region).get(f"/certificates/{number}").status_code == 200


def test_a_qingpu_certificate_verifies_in_wujiang_and_revocation_reaches_everyone(notary_cluster):
    certificate = issue(notary_cluster, Q)
    number = certificate["number"]
    assert re.fullmatch(rf"\({datetime.now(UTC).year}\)沪青浦证字第\d+号", number)
    assert certificate["applicant_name"] == "李*" and "********" in certificate["applicant_id"]

    eventually(lambda: known_in(notary_cluster, W, number), what="the certificate in wujiang's registry")
    checked = verify(notary_cluster, W, number)
    assert checked["result"] == "valid"
    assert checked["registry"]["issuer_region"] == "qingpu"
    assert checked["registry"]["last_event_from_issuer_at"] is not None

    tampered = verify(notary_cluster, W, number, document="contract-v1-edited")
    assert tampered["result"] == "hash_mismatch"

    # The issuer sees where its certificate was relied on.
    issuer_view = eventually(
        lambda: (
            (v := notary(notary_cluster, Q).get(f"/certificates/{number}").json())
            and len(v["verifications"]) >= 2
            and v
        ),
        what="verifications reported to the issuer",
    )
    assert {(v["verifier_region"], v["result"]) for v in issuer_view["verifications"]} == {
        ("wujiang", "valid"),
        ("wujiang", "hash_mismatch"),
    }

    assert notary(notary_cluster, W).post(f"/certificates/{number}/revoke", json={"reason": "x"}).status_code == 403
    revoked = notary(notary_cluster, Q).post(f"/certificates/{number}/revoke", json={"reason": "申请人撤回"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    for region in (J, Q, W):
        eventually(
            lambda r=region: verify(notary_cluster, r, number)["result"] == "revoked", what=f"revoked in {region.value}"
        )
    again = notary(notary_cluster, Q).post(f"/certificates/{number}/revoke", json={"reason": "twice"})
    assert again.status_code == 409


def test_unknown_and_expired_certificates(notary_cluster):
    assert verify(notary_cluster, J, "(2026)沪青浦证字第999999号")["result"] == "unknown"
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    number = issue(notary_cluster, J, document="poa", valid_until=soon)["number"]
    eventually(
        lambda: verify(notary_cluster, W, number, document="poa")["result"] == "expired", timeout=20, what="expiry"
    )


def test_verification_works_while_the_issuer_is_down(notary_cluster):
    number = issue(notary_cluster, W, document="deed")["number"]
    eventually(lambda: known_in(notary_cluster, J, number), what="the certificate in jiashan's registry")
    with notary_cluster.stopped(W, N):
        answer = verify(notary_cluster, J, number, document="deed")
        assert answer["result"] == "valid"
        assert answer["registry"]["issuer_region"] == "wujiang"
        assert answer["registry"]["consumer_caught_up"] is True


def test_concurrent_issuing_gives_distinct_consecutive_numbers(notary_cluster):
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(lambda i: issue(notary_cluster, J, document=f"doc-{i}")["number"], range(8)))
    sequences = sorted(int(re.search(r"第(\d+)号", n).group(1)) for n in numbers)
    assert len(set(numbers)) == 8
    assert sequences == list(range(sequences[0], sequences[0] + 8))


def test_a_proof_request_from_jiashan_is_answered_by_wujiang(notary_cluster):
    subject = id_number(address="320509", born="19920202", seq="518")
    asked = notary(notary_cluster, J).post(
        "/proof-requests",
        json={
            "holding_region": "wujiang",
            "proof_type": "kinship",
            "subject_name": "王五",
            "subject_id_number": subject,
            "purpose": "继承公证所需亲属关系证明",
            "application_ref": "JS-2026-0815",
        },
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["id"]
    assert subject not in asked.text  # masked even in the requester's own read model

    holder = notary(notary_cluster, W)
    eventually(lambda: holder.get(f"/proof-requests/{request_id}").status_code == 200, what="the request at wujiang")
    assert holder.get(f"/proof-requests/{request_id}/subject").status_code == 403  # no purpose
    detail = notary(notary_cluster, W, **{"x-purpose": "notarization"}).get(f"/proof-requests/{request_id}/subject")
    assert detail.status_code == 200, detail.text
    assert detail.json()["id_number"] == subject

    answered = holder.post(
        f"/proof-requests/{request_id}/respond",
        json={"outcome": "provided", "document_sha256": sha("kinship-record"), "summary": "王五系被继承人之子"},
    )
    assert answered.status_code == 200, answered.text
    seen = eventually(
        lambda: (
            (r := notary(notary_cluster, J).get(f"/proof-requests/{request_id}").json())
            and r["status"] == "provided"
            and r
        ),
        what="the answer at jiashan",
    )
    assert seen["summary"] == "王五系被继承人之子"
    assert (
        notary(notary_cluster, J)
        .post(f"/proof-requests/{request_id}/respond", json={"outcome": "not_found"})
        .status_code
        == 403
    )  # only the holder answers

    supervisor = notary_cluster.client(J, N, token(J, Role.SUPERVISOR), **{"x-purpose": "audit-review"})
    reads = [
        e
        for e in supervisor.get("/audit", params={"record": request_id}).json()["items"]
        if e["action"] == "notary.read_proof_subject"
    ]
    assert {(e["region"], e["decision"], e["purpose"]) for e in reads} >= {("wujiang", "allowed", "notarization")}


def test_an_unanswered_proof_request_is_flagged_overdue_once(notary_cluster):
    request_id = (
        notary(notary_cluster, Q)
        .post(
            "/proof-requests",
            json={
                "holding_region": "jiashan",
                "proof_type": "no_criminal_record",
                "subject_name": "赵六",
                "subject_id_number": id_number(),
                "purpose": "出国公证",
                "application_ref": "QP-77",
            },
        )
        .json()["id"]
    )
    for region in (J, Q):
        flagged = eventually(
            lambda r=region: (
                (v := notary(notary_cluster, r).get(f"/proof-requests/{request_id}")).status_code == 200
                and v.json()["overdue_flagged"]
                and v.json()
            ),
            timeout=20,
            what=f"overdue flag in {region.value}",
        )
        assert [e["type"] for e in flagged["timeline"]].count("proof-overdue") == 1


def test_a_verifier_learns_of_a_later_revocation_and_the_issuer_counts_the_verifiers_it_reached(notary_cluster):
    number = issue(notary_cluster, Q, document="lease-v1")["number"]
    eventually(lambda: known_in(notary_cluster, W, number), what="the certificate in wujiang's registry")
    assert verify(notary_cluster, W, number, document="lease-v1")["result"] == "valid"
    since = datetime.now(UTC).isoformat()
    revoked = notary(notary_cluster, Q).post(f"/certificates/{number}/revoke", json={"reason": "合同已解除"})
    assert revoked.status_code == 200, revoked.text

    def relied_on() -> list[dict]:
        query = {"verifier_region": "wujiang", "revoked_since": since, "limit": 100}
        items = notary(notary_cluster, W).get("/verifications", params=query).json()["items"]
        return [v for v in items if v["number"] == number]

    relied = eventually(relied_on, what="the revocation at the verifier")
    assert [v["result"] for v in relied] == ["valid"] and relied[0]["certificate_revoked_at"]

    def reached() -> float:
        operator = notary_cluster.client(Q, N, token(Q, Role.OPERATOR))
        text = operator.get(notary_cluster.url(Q, N) + "/metrics").text
        sample = 'yrd_notary_revoked_after_verification{region="qingpu",verifier="wujiang"} '
        return next((float(line.split()[-1]) for line in text.splitlines() if line.startswith(sample)), 0.0)

    assert eventually(lambda: reached() >= 1, what="the issuer's count of reached verifiers")


def test_a_corrected_certificate_is_found_from_the_old_number_in_every_region(notary_cluster):
    old = issue(notary_cluster, Q, document="will-v1")["number"]
    reissued = notary(notary_cluster, Q).post(
        f"/certificates/{old}/reissue", json={"reason": "遗嘱日期笔误", "document_sha256": sha("will-v2")}
    )
    assert reissued.status_code == 201, reissued.text
    successor = reissued.json()["number"]

    def answered(region) -> dict:
        return verify(notary_cluster, region, old, document="will-v1")

    for region in (J, W):
        seen = eventually(lambda r=region: (a := answered(r))["result"] == "superseded" and a)
        assert seen["successor"] == successor
        eventually(lambda r=region: verify(notary_cluster, r, successor, document="will-v2")["result"] == "valid")


def test_the_issuing_office_reads_its_applicant_and_a_proof_document_travels_point_to_point(notary_cluster):
    certificate = issue(notary_cluster, Q, document="kin-v1")
    applicant = notary(notary_cluster, Q, **{"x-purpose": "notarization"}).get(
        f"/certificates/{certificate['number']}/applicant"
    )
    assert applicant.status_code == 200 and applicant.json()["id_number"] == id_number(address="310118")
    assert (
        notary(notary_cluster, W, **{"x-purpose": "notarization"})
        .get(f"/certificates/{certificate['number']}/applicant")
        .status_code
        == 403
    )

    asked = proof_request_body(application_ref="QP-E2E-DOC")
    request_id = notary(notary_cluster, Q).post("/proof-requests", json=asked).json()["id"]
    eventually(lambda: notary(notary_cluster, J).get(f"/proof-requests/{request_id}").status_code == 200)
    content = "亲属关系证明".encode()
    document = {
        "name": "证明.pdf",
        "content_type": "application/pdf",
        "content_base64": base64.b64encode(content).decode(),
    }
    answer = {"outcome": "provided", "summary": "属实", "document_sha256": hashlib.sha256(content).hexdigest()}
    answered = notary(notary_cluster, J).post(
        f"/proof-requests/{request_id}/respond", json={**answer, "document": document}
    )
    assert answered.status_code == 200, answered.text
    eventually(lambda: notary(notary_cluster, Q).get(f"/proof-requests/{request_id}").json()["document_name"])
    fetched = notary(notary_cluster, Q, **{"x-purpose": "notarization"}).get(f"/proof-requests/{request_id}/document")
    assert fetched.status_code == 200, fetched.text  # from Jiashan's instance, point to point
    assert base64.b64decode(fetched.json()["content_base64"]) == content
