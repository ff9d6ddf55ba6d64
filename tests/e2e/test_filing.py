"""Cross-region filing driven over HTTP against three running instances and the real broker."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest

from shared.contracts.regions import Domain, Region, zone_today
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body, id_number, sha
from tests.helpers import eventually
from tests.instances import token

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
F = Domain.FILING


def clerk(cluster, region):
    return cluster.client(region, F, token(region, Role.WINDOW_CLERK))


def officer(cluster, region, **headers):
    return cluster.client(region, F, token(region, Role.COURT_OFFICER), **headers)


def status_in(cluster, region, filing_id, status):
    def probe():
        response = officer(cluster, region).get(f"/filings/{filing_id}")
        return response.json() if response.status_code == 200 and response.json()["status"] == status else None

    return eventually(probe, timeout=10, what=f"{filing_id} to be {status} in {region.value}")


def test_jiashan_filing_for_qingpu_court_through_correction_to_acceptance(filing_cluster):
    submitted = clerk(filing_cluster, J).post("/filings", json=filing_body(court="qingpu"))
    assert submitted.status_code == 202, submitted.text
    filing_id = submitted.json()["id"]
    assert submitted.json()["status"] == "submitted"

    received = status_in(filing_cluster, Q, filing_id, "received")
    assert received["receiving_region"] == "jiashan"
    assert received["parties"][0]["name"] == "张*"
    assert received["parties"][0]["identifier"].startswith("330421********")

    deadline = (zone_today() + timedelta(days=15)).isoformat()
    correction = officer(filing_cluster, Q).post(
        f"/filings/{filing_id}/request-correction",
        json={"missing_items": ["证据目录", "被告营业执照副本"], "deadline": deadline},
    )
    assert correction.status_code == 200, correction.text
    status_in(filing_cluster, J, filing_id, "correction_requested")

    resubmitted = clerk(filing_cluster, J).post(
        f"/filings/{filing_id}/resubmit", json={"documents": [{"name": "证据目录.pdf", "sha256": sha("evidence")}]}
    )
    assert resubmitted.status_code == 202, resubmitted.text
    status_in(filing_cluster, Q, filing_id, "resubmitted")

    accepted = officer(filing_cluster, Q).post(f"/filings/{filing_id}/accept")
    assert accepted.status_code == 200, accepted.text
    docket = accepted.json()["docket_number"]
    assert re.fullmatch(rf"\({zone_today().year}\)沪0118民初\d+号", docket)

    views = [status_in(filing_cluster, region, filing_id, "accepted") for region in (J, Q, W)]
    assert {(v["docket_number"], v["version"]) for v in views} == {(docket, accepted.json()["version"])}
    steps = [entry["type"] for entry in views[1]["timeline"]]
    assert steps == [
        "submitted",
        "received",
        "correction-requested",
        "resubmission-requested",
        "resubmitted",
        "accepted",
    ]


def test_concurrent_acceptances_get_distinct_consecutive_numbers(filing_cluster):
    qingpu_clerk = clerk(filing_cluster, Q)
    ids = [
        qingpu_clerk.post("/filings", json=filing_body(court="qingpu", case_type="administrative")).json()["id"]
        for _ in range(8)
    ]

    def accept(filing_id):
        return officer(filing_cluster, Q).post(f"/filings/{filing_id}/accept").json()["docket_number"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(accept, ids))
    sequences = sorted(int(re.search(r"行初(\d+)号", n).group(1)) for n in numbers)
    assert len(set(numbers)) == 8
    assert sequences == list(range(sequences[0], sequences[0] + 8))


def test_withdraw_after_accept_is_refused_with_the_current_state(filing_cluster):
    filing_id = clerk(filing_cluster, W).post("/filings", json=filing_body(court="qingpu")).json()["id"]
    status_in(filing_cluster, Q, filing_id, "received")
    assert officer(filing_cluster, Q).post(f"/filings/{filing_id}/accept").status_code == 200
    status_in(filing_cluster, W, filing_id, "accepted")

    refused = clerk(filing_cluster, W).post(f"/filings/{filing_id}/withdraw", json={"reason": "changed my mind"})
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["current_status"] == "accepted"


def test_withdrawal_requested_at_the_window_is_applied_by_the_court(filing_cluster):
    filing_id = clerk(filing_cluster, J).post("/filings", json=filing_body(court="wujiang")).json()["id"]
    status_in(filing_cluster, J, filing_id, "received")
    assert (
        clerk(filing_cluster, J).post(f"/filings/{filing_id}/withdraw", json={"reason": "settled"}).status_code == 202
    )
    for region in (J, Q, W):
        status_in(filing_cluster, region, filing_id, "withdrawn")


def test_bad_input_gets_422_naming_the_field(filing_cluster):
    body = filing_body(plaintiff_id=id_number()[:-1] + ("0" if id_number()[-1] != "0" else "1"))
    response = clerk(filing_cluster, J).post("/filings", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert any(e["field"].endswith("id_number") for e in problem["errors"])
    assert body["parties"][0]["id_number"] not in response.text  # the rejected value is not echoed

    unknown_court = clerk(filing_cluster, J).post("/filings", json={**filing_body(), "court_region": "hangzhou"})
    assert unknown_court.status_code == 422
    assert unknown_court.json()["errors"][0]["field"] == "court_region"


def test_idempotency_key_retry_returns_the_first_result(filing_cluster):
    key = str(uuid.uuid4())
    client = clerk(filing_cluster, J)
    first = client.post("/filings", json=filing_body(court="wujiang"), headers={"idempotency-key": key})
    again = client.post("/filings", json=filing_body(court="wujiang"), headers={"idempotency-key": key})
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    other_body = client.post("/filings", json=filing_body(court="qingpu"), headers={"idempotency-key": key})
    assert other_body.status_code == 422


def test_court_reads_full_parties_from_the_receiving_region_with_a_purpose(filing_cluster):
    plaintiff = id_number(born="19750505", seq="333")
    filing_id = (
        clerk(filing_cluster, J).post("/filings", json=filing_body(court="qingpu", plaintiff_id=plaintiff)).json()["id"]
    )
    status_in(filing_cluster, Q, filing_id, "received")

    without_purpose = officer(filing_cluster, Q).get(f"/filings/{filing_id}/parties")
    assert without_purpose.status_code == 403
    detail = officer(filing_cluster, Q, **{"x-purpose": "case-review"}).get(f"/filings/{filing_id}/parties")
    assert detail.status_code == 200, detail.text
    assert detail.json()["parties"][0]["identifier"] == plaintiff

    supervisor = filing_cluster.client(J, F, token(J, Role.SUPERVISOR), **{"x-purpose": "audit-review"})
    entries = supervisor.get("/audit", params={"record": filing_id}).json()["items"]
    reads = [e for e in entries if e["action"] == "filing.read_parties"]
    assert reads and reads[0]["region"] == "qingpu" and reads[0]["purpose"] == "case-review"
    assert reads[0]["decision"] == "allowed"


def test_a_filing_past_its_decision_deadline_is_flagged_once_everywhere(filing_cluster):
    filing_id = clerk(filing_cluster, Q).post("/filings", json=filing_body(court="qingpu")).json()["id"]
    for region in (J, Q, W):
        view = eventually(
            lambda r=region: (
                (f := officer(filing_cluster, r).get(f"/filings/{filing_id}").json())
                and any(e["type"] == "decision-overdue" for e in f.get("timeline", []))
                and f
            ),
            timeout=30,
            what=f"the overdue flag in {region.value}",
        )
        assert [e["type"] for e in view["timeline"]].count("decision-overdue") == 1
    operator = {"authorization": f"Bearer {token(Q, Role.OPERATOR)}"}
    metrics = httpx.get(filing_cluster.url(Q, F) + "/metrics", headers=operator).text
    assert 'yrd_filings_overdue{region="qingpu"}' in metrics
    overdue = float(metrics.split('yrd_filings_overdue{region="qingpu"} ')[1].split()[0])
    assert overdue >= 1
    assert officer(filing_cluster, Q).post(f"/filings/{filing_id}/accept").status_code == 200  # late, still decidable


def test_lists_page_by_cursor_without_gaps_or_repeats(filing_cluster):
    window = clerk(filing_cluster, W)
    made = {
        window.post("/filings", json=filing_body(court="jiashan", case_type="enforcement")).json()["id"]
        for _ in range(5)
    }
    reader = officer(filing_cluster, W)
    params = {"receiving_region": "wujiang", "case_type": "enforcement", "limit": 2}
    eventually(
        lambda: made <= {f["id"] for f in reader.get("/filings", params={**params, "limit": 100}).json()["items"]},
        what="the new filings listed",
    )
    seen, cursor, pages = [], None, 0
    while True:
        page = reader.get("/filings", params={**params, **({"cursor": cursor} if cursor else {})}).json()
        assert len(page["items"]) <= 2
        seen += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [f["id"] for f in seen]
    assert len(ids) == len(set(ids)) and made <= set(ids) and pages >= 3
    assert all(f["receiving_region"] == "wujiang" and f["case_type"] == "enforcement" for f in seen)
    stamps = [(f["submitted_at"], f["id"]) for f in seen]
    assert stamps == sorted(stamps, reverse=True)  # newest first, stable across pages
    forged = reader.get("/filings", params={"cursor": "not-a-cursor"})
    assert forged.status_code == 422 and forged.json()["errors"][0]["field"] == "cursor"


def test_a_case_is_found_by_party_id_number_and_docket_number_across_regions(filing_cluster):
    plaintiff = id_number(address="320509", born="19750601", seq="538")
    filing_id = clerk(filing_cluster, J).post("/filings", json=filing_body(plaintiff_id=plaintiff)).json()["id"]

    def found(client, **query) -> list[str]:
        return [f["id"] for f in client.get("/filings", params={**query, "limit": 100}).json()["items"]]

    court = officer(filing_cluster, Q, **{"x-purpose": "case-review"})
    eventually(lambda: found(court, party_id_number=plaintiff) == [filing_id], what="the party's filing")
    docket = officer(filing_cluster, Q).post(f"/filings/{filing_id}/accept").json()["docket_number"]
    window = clerk(filing_cluster, J)
    eventually(lambda: found(window, docket_number=docket) == [filing_id], what="the docket at Jiashan")
    assert court.get("/filings", params={"party_id_number": plaintiff}).status_code == 200
    assert officer(filing_cluster, Q).get("/filings", params={"party_id_number": plaintiff}).status_code == 403


def test_a_party_follows_the_filing_at_the_window_without_a_login(filing_cluster):
    filed = clerk(filing_cluster, J).post("/filings", json=filing_body()).json()
    question = {"filing_id": filed["id"], "filing_code": filed["filing_code"]}
    window = filing_cluster.url(J, F) + "/public/v1/filing-status"

    def status() -> dict:
        answer = httpx.post(window, json=question)  # no token
        assert answer.status_code == 200, answer.text
        return answer.json()

    eventually(lambda: status()["status"] == "received", what="the court's receipt at the window")
    docket = officer(filing_cluster, Q).post(f"/filings/{filed['id']}/accept").json()["docket_number"]
    seen = eventually(lambda: (s := status())["docket_number"] and s, what="the docket at the window")
    assert seen["status"] == "accepted" and seen["docket_number"] == docket and "parties" not in seen
    assert httpx.post(filing_cluster.url(Q, F) + "/public/v1/filing-status", json=question).status_code == 404
