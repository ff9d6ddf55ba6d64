"""The procuratorates' channel over HTTP against three running instances: a referral and its material
across regions, the material fetched point to point from its holder over mutual TLS, and the receipt chain
exported by the sender and checked offline by `yrd evidence verify`."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.helpers import eventually
from tests.instances import KEYS, token

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
P = Domain.PROCURATORATE
CONTENT = b"statement of the witness, held by Qingpu"


def prosecutor(cluster, region: Region, subject: str | None = None, **headers: str):
    return cluster.client(region, P, token(region, Role.PROSECUTOR, subject=subject), **headers)


def chief(cluster, region: Region):
    return cluster.client(region, P, token(region, Role.PROSECUTION_CHIEF))


def created(response, status: int) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def procuratorate_records(cluster, seen_everywhere) -> dict[str, str]:
    """A Qingpu referral to Wujiang with a material Qingpu holds, a Jiashan request for Wujiang's
    assistance, and a joint case led by Wujiang with Jiashan; each known in every region."""
    referral = created(
        prosecutor(cluster, Q).post(
            "/referrals", json={"to_region": "wujiang", "title": "t", "summary": "s", "offence": "criminal"}
        ),
        202,
    )["id"]
    seen_everywhere(cluster, P, "referrals", referral)
    material = {
        "record_id": referral,
        "name": "n.txt",
        "content_type": "text/plain",
        "classification": "confidential",
        "content_base64": base64.b64encode(CONTENT).decode(),
    }
    material_id = created(prosecutor(cluster, Q).post("/materials", json=material), 201)["id"]
    due = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    request = {"asked_region": "wujiang", "kind": "records", "subject": "s", "due_at": due}
    request_id = created(prosecutor(cluster, J).post("/assistance-requests", json=request), 202)["id"]
    case = {"title": "t", "matter": "m", "participants": ["jiashan"]}
    case_id = created(prosecutor(cluster, W).post("/joint-cases", json=case), 201)["id"]
    seen_everywhere(cluster, P, "materials", material_id)
    seen_everywhere(cluster, P, "assistance", request_id)
    seen_everywhere(cluster, P, "joint_cases", case_id)
    return {"referral_id": referral, "material_id": material_id, "request_id": request_id, "case_id": case_id}


def _chain(cluster, record_id: str) -> list[tuple[str, str]]:
    answer = prosecutor(cluster, Q).get(f"/evidence/{record_id}")
    assert answer.status_code == 200, answer.text
    return [(r["kind"], r["region"]) for r in answer.json()["receipts"]]


def _verify(path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "yrd.cli", "evidence", "verify", str(path), "--trust", str(KEYS / "trust.json")]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_a_referral_and_its_material_reach_wujiang_with_a_verifiable_receipt_chain(procuratorate_cluster, tmp_path):
    cluster = procuratorate_cluster
    body = {"to_region": "wujiang", "title": "太浦河排污线索", "summary": "夜间偷排", "offence": "public_interest"}
    referral = created(prosecutor(cluster, Q).post("/referrals", json=body), 202)
    eventually(lambda: len(_chain(cluster, referral["id"])) == 2, what="the relayed receipt back in qingpu")

    opened = lambda: prosecutor(cluster, W, "w-prosecutor").get(f"/referrals/{referral['id']}")  # noqa: E731
    eventually(lambda: opened().status_code == 200, what="the referral in wujiang")
    accepted = created(
        chief(cluster, W).post(f"/referrals/{referral['id']}/decision", json={"outcome": "accepted"}), 200
    )
    assert accepted["case_number"].startswith("吴检受〔")

    material = {
        "record_id": referral["id"],
        "name": "笔录.txt",
        "content_type": "text/plain",
        "classification": "secret",
        "content_base64": base64.b64encode(CONTENT).decode(),
    }
    material_id = created(prosecutor(cluster, Q).post("/materials", json=material), 201)["id"]
    reader = prosecutor(cluster, W, "w-prosecutor", **{"x-purpose": "prosecution"})
    content = f"/materials/{material_id}/content"
    eventually(lambda: reader.get(f"/materials/{material_id}").status_code == 200, what="the material in wujiang")
    fetched = created(reader.get(content), 200)  # relayed by wujiang's instance to qingpu's, mutual TLS
    assert base64.b64decode(fetched["content_base64"]) == CONTENT and fetched["holder_region"] == "qingpu"
    # Another region's relay is refused: a Wujiang token through Jiashan's instance.
    foreign = cluster.client(J, P, token(W, Role.PROSECUTOR), **{"x-purpose": "prosecution"})
    assert foreign.get(content).status_code == 403

    complete = [("submitted", "qingpu"), ("relayed", "wujiang"), ("delivered", "wujiang"), ("retrieved", "wujiang")]
    for record_id in (referral["id"], material_id):
        eventually(lambda r=record_id: _chain(cluster, r) == complete, what=f"the complete chain of {record_id}")
    document = prosecutor(cluster, Q).get(f"/evidence/{material_id}").json()
    good = tmp_path / "evidence.json"
    good.write_text(json.dumps(document, ensure_ascii=False))
    checked = _verify(good)
    assert checked.returncode == 0, checked.stderr
    assert "4 receipt(s)" in checked.stdout

    document["receipts"][3]["actor"] = "someone-else"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(document, ensure_ascii=False))
    rejected = _verify(bad)
    assert rejected.returncode == 1
    assert "receipt 4 (retrieved" in rejected.stderr and "signature" in rejected.stderr


def test_an_assistance_request_is_answered_and_a_joint_case_is_seen_alike_in_every_region(procuratorate_cluster):
    cluster = procuratorate_cluster
    due = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    body = {"asked_region": "jiashan", "kind": "verification", "subject": "核实排污许可证", "due_at": due}
    request = created(prosecutor(cluster, W).post("/assistance-requests", json=body), 202)["id"]
    path = f"/assistance-requests/{request}"
    eventually(
        lambda: chief(cluster, J).post(f"{path}/assignment", json={"assignee": "j-p1"}).status_code == 200,
        what="the request assigned in jiashan",
    )
    answer = {"results": "许可证已过期", "material_ids": []}
    created(prosecutor(cluster, J, "j-p1").post(f"{path}/answer", json=answer), 200)
    eventually(
        lambda: prosecutor(cluster, W).get(path).json().get("status") == "answered", what="the answer in wujiang"
    )
    # The results are Jiashan's, read by Wujiang's prosecutor through Wujiang's instance, relayed to Jiashan
    # over the peer listener; without the purpose the view shows only that they exist.
    seen = prosecutor(cluster, W, **{"x-purpose": "prosecution"}).get(path).json()
    assert {t["part"]: (t["holder_region"], t["text"]) for t in seen["texts"]} == {
        "subject": ("wujiang", body["subject"]),
        "results": ("jiashan", answer["results"]),
    }
    assert [t["text"] for t in prosecutor(cluster, W).get(path).json()["texts"]] == [None, None]

    case = {"title": "太浦河跨界污染", "matter": "上游排污", "participants": ["jiashan", "wujiang"]}
    case_id = created(prosecutor(cluster, Q).post("/joint-cases", json=case), 201)["id"]
    for region in (J, W):
        eventually(
            lambda r=region: (
                prosecutor(cluster, r).post(f"/joint-cases/{case_id}/findings", json={"summary": r.value}).status_code
                == 201
            ),
            what=f"a finding from {region.value}",
        )
    step = {"step": "pre_litigation_notice", "note": "诉前检察建议"}
    created(chief(cluster, Q).post(f"/joint-cases/{case_id}/steps", json=step), 200)
    for region in (J, Q, W):

        def alike(r=region) -> bool:
            seen = prosecutor(cluster, r).get(f"/joint-cases/{case_id}").json()
            return seen.get("step") == "pre_litigation_notice" and len(seen.get("findings", [])) == 2

        eventually(alike, what=f"the case's findings and step in {region.value}")
