"""Regression tests for the outside review's access and data-handling findings, each driven over HTTP
against running instances as the reviewer did (numbers refer to the review's list)."""

from __future__ import annotations

import base64
import socket
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest

from shared.contracts.regions import Domain, Region, zone_today
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body, id_number, sha
from tests.helpers import eventually
from tests.instances import token

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
F, A, N, C = Domain.FILING, Domain.ALERTS, Domain.NOTARY, Domain.CORRECTIONS


def client(cluster, instance, service, region, *roles, agency=None, subject=None, **headers):
    bearer = token(region, *roles, agency=agency, subject=subject)
    return cluster.client(instance, service, bearer, **headers)


def received_everywhere(cluster, filing_id, status="received"):
    for region in Region:
        reader = client(cluster, region, F, region, Role.SUPERVISOR)
        eventually(lambda r=reader: r.get(f"/filings/{filing_id}").json().get("status") == status, what=status)


# 1. agency systems see and act only on their agency's records


def test_agency_systems_are_confined_to_their_agencys_filings(filing_cluster):
    system_a = client(filing_cluster, J, F, J, Role.AGENCY_SYSTEM, agency="court-system-a")
    system_b = client(filing_cluster, J, F, J, Role.AGENCY_SYSTEM, agency="court-system-b")
    clerk = client(filing_cluster, J, F, J, Role.WINDOW_CLERK)
    mine = system_a.post("/filings", json=filing_body(court="qingpu"))
    assert mine.status_code == 202, mine.text
    theirs = clerk.post("/filings", json=filing_body(court="qingpu")).json()["id"]
    received_everywhere(filing_cluster, mine.json()["id"])
    received_everywhere(filing_cluster, theirs)

    assert system_a.get(f"/filings/{mine.json()['id']}").status_code == 200
    for instance in (J, Q):
        other = client(filing_cluster, instance, F, J, Role.AGENCY_SYSTEM, agency="court-system-b")
        assert other.get(f"/filings/{mine.json()['id']}").status_code == 403
    assert system_b.get(f"/filings/{theirs}").status_code == 403  # a clerk's filing
    listed = {f["id"] for f in system_b.get("/filings", params={"limit": 100}).json()["items"]}
    assert mine.json()["id"] not in listed and theirs not in listed
    listed_a = {f["id"] for f in system_a.get("/filings", params={"limit": 100}).json()["items"]}
    assert mine.json()["id"] in listed_a and theirs not in listed_a
    assert system_b.post(f"/filings/{theirs}/withdraw", json={"reason": "r"}).status_code == 403
    assert system_b.post(f"/filings/{mine.json()['id']}/withdraw", json={"reason": "r"}).status_code == 403
    assert system_a.post(f"/filings/{mine.json()['id']}/withdraw", json={"reason": "r"}).status_code == 202
    nobody = client(filing_cluster, J, F, J, Role.AGENCY_SYSTEM)  # a token that names no agency
    assert nobody.post("/filings", json=filing_body(court="qingpu")).status_code == 403


def test_agency_systems_answer_only_proof_requests_addressed_to_their_agency(notary_cluster):
    body = {
        "holding_region": "wujiang",
        "proof_type": "education",
        "subject_name": "钱某",
        "subject_id_number": id_number(seq="335"),
        "purpose": "p",
        "application_ref": "a",
        "holding_agency": "wujiang-education",
    }
    request_id = client(notary_cluster, J, N, J, Role.NOTARY).post("/proof-requests", json=body).json()["id"]
    addressed = client(notary_cluster, W, N, W, Role.AGENCY_SYSTEM, agency="wujiang-education")
    other = client(notary_cluster, W, N, W, Role.AGENCY_SYSTEM, agency="wujiang-housing")
    eventually(lambda: addressed.get(f"/proof-requests/{request_id}").status_code == 200, what="proof request")
    assert other.get(f"/proof-requests/{request_id}").status_code == 403
    assert request_id not in {p["id"] for p in other.get("/proof-requests").json()["items"]}
    refusal = {"outcome": "refused", "reason": "r"}
    assert other.post(f"/proof-requests/{request_id}/respond", json=refusal).status_code == 403
    assert addressed.post(f"/proof-requests/{request_id}/respond", json=refusal).status_code == 200


# 2. full parties only for the court region's officer and the receiving region's clerk


def test_full_parties_do_not_go_to_the_receiving_regions_court(filing_cluster):
    filing_id = client(filing_cluster, J, F, J, Role.WINDOW_CLERK).post("/filings", json=filing_body()).json()["id"]
    received_everywhere(filing_cluster, filing_id)
    purpose = {"x-purpose": "case-review"}
    wrong_court = client(filing_cluster, J, F, J, Role.COURT_OFFICER, **purpose)
    assert wrong_court.get(f"/filings/{filing_id}/parties").status_code == 403
    court_clerk = client(filing_cluster, Q, F, Q, Role.WINDOW_CLERK, **purpose)
    assert court_clerk.get(f"/filings/{filing_id}/parties").status_code == 403
    court = client(filing_cluster, Q, F, Q, Role.COURT_OFFICER, **purpose)
    assert court.get(f"/filings/{filing_id}/parties").status_code == 200
    window = client(filing_cluster, J, F, J, Role.WINDOW_CLERK, **purpose)
    assert window.get(f"/filings/{filing_id}/parties").status_code == 200


# 11, 12, 23: docket year is tested as a rule (unit); here the one-time notice and list/item agreement


def test_a_second_correction_request_is_refused_and_lists_agree_with_items(filing_cluster):
    filing_id = client(filing_cluster, J, F, J, Role.WINDOW_CLERK).post("/filings", json=filing_body()).json()["id"]
    received_everywhere(filing_cluster, filing_id)
    court = client(filing_cluster, Q, F, Q, Role.COURT_OFFICER)
    notice = {"missing_items": ["证据目录"], "deadline": (zone_today() + timedelta(days=9)).isoformat()}
    assert court.post(f"/filings/{filing_id}/request-correction", json=notice).status_code == 200
    documents = {"documents": [{"name": "证据目录.pdf", "sha256": sha("evidence")}]}
    court_clerk = client(filing_cluster, Q, F, Q, Role.WINDOW_CLERK)
    assert court_clerk.post(f"/filings/{filing_id}/resubmit", json=documents).status_code == 202
    again = court.post(f"/filings/{filing_id}/request-correction", json={**notice, "missing_items": ["新的"]})
    assert again.status_code == 409 and again.json()["current_status"] == "resubmitted"
    item = court.get(f"/filings/{filing_id}").json()
    listed = next(f for f in court.get("/filings", params={"limit": 100}).json()["items"] if f["id"] == filing_id)
    assert listed["overdue_flagged"] is item["overdue_flagged"] is False


# 9. every region shows the same actor


def test_timelines_and_acknowledgements_name_the_same_actor_everywhere(alerts_cluster):
    from tests.e2e.alert_data import alert_body

    owner = client(alerts_cluster, W, A, W, Role.POLICE_OFFICER, subject="wj-duty-7")
    alert_id = owner.post("/alerts", json=alert_body(severity="IV")).json()["id"]
    jiashan = client(alerts_cluster, J, A, J, Role.POLICE_OFFICER, subject="js-duty-3")
    eventually(lambda: jiashan.get(f"/alerts/{alert_id}").status_code == 200, what="alert at jiashan")
    assert jiashan.post(f"/alerts/{alert_id}/ack").status_code == 200

    def same_everywhere():
        views = [client(alerts_cluster, r, A, r, Role.SUPERVISOR).get(f"/alerts/{alert_id}").json() for r in (J, W)]
        acks = [{a["region"]: a["acknowledged_by"] for a in v["acknowledgements"]} for v in views]
        actors = [[(t["type"], t["actor"]) for t in v["timeline"]] for v in views]
        return acks[0] == acks[1] and acks[0].get("jiashan") == "js-duty-3" and actors[0] == actors[1] and actors

    actors = eventually(same_everywhere, what="the same timeline in both regions")
    assert ("raised", "wj-duty-7") in actors[0] and ("acknowledged", "js-duty-3") in actors[0]


# 6. a region asked for reinforcement takes part in the alert


def test_a_region_asked_for_reinforcement_can_read_the_alert_and_answer(alerts_cluster):
    from tests.e2e.alert_data import alert_body

    owner = client(alerts_cluster, W, A, W, Role.POLICE_OFFICER)
    alert_id = owner.post("/alerts", json=alert_body(severity="III", targets=["qingpu"])).json()["id"]
    asked = {"to_region": "jiashan", "units": 2, "kind": "警车", "rendezvous": "收费站"}
    request_id = owner.post(f"/alerts/{alert_id}/reinforcement-requests", json=asked).json()["id"]
    jiashan = client(alerts_cluster, J, A, J, Role.POLICE_OFFICER)
    seen = eventually(
        lambda: (r := jiashan.get(f"/alerts/{alert_id}")).status_code == 200 and r.json()["reinforcement_requests"],
        what="the request at jiashan",
    )
    assert seen[0]["id"] == request_id
    answer = {"outcome": "declined", "reason": "警力不足"}
    assert jiashan.post(f"/reinforcement-requests/{request_id}/respond", json=answer).status_code == 200
    assert jiashan.post(f"/alerts/{alert_id}/ack").status_code == 403  # not a target: nothing to acknowledge


# 10. notary expiry: one status everywhere; 20: unknown filter values


def test_expired_certificates_read_expired_everywhere_and_past_validity_is_refused(notary_cluster):
    notary = client(notary_cluster, Q, N, Q, Role.NOTARY)
    applicant = {"name": "孙某", "id_number": id_number(seq="551")}
    past = {"matter": "declaration", "applicant": applicant, "document_sha256": sha("x")}
    refused = notary.post("/certificates", json={**past, "valid_until": "2020-01-01T00:00:00+08:00"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "valid_until"
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    number = notary.post("/certificates", json={**past, "valid_until": soon}).json()["number"]
    reader = client(notary_cluster, W, N, W, Role.NOTARY)
    eventually(lambda: reader.get(f"/certificates/{number}").json().get("status") == "expired", what="expiry")
    expired = {
        c["number"] for c in reader.get("/certificates", params={"status": "expired", "limit": 100}).json()["items"]
    }
    valid = {c["number"] for c in reader.get("/certificates", params={"status": "valid", "limit": 100}).json()["items"]}
    assert number in expired and number not in valid
    assert reader.get("/certificates", params={"status": "bogus"}).status_code == 422
    assert reader.get("/proof-requests", params={"status": "bogus"}).status_code == 422


# 3, 5, 7, 13: corrections


def _officer(cluster, instance, region, purpose=None):
    headers = {"x-purpose": purpose} if purpose else {}
    return client(cluster, instance, C, region, Role.CORRECTIONS_OFFICER, **headers)


def _trip(destination, start, days, reason="探亲"):
    return {
        "destination": destination,
        "from_date": start.isoformat(),
        "to_date": (start + timedelta(days=days)).isoformat(),
        "reason": reason,
    }


def test_violation_details_only_for_the_home_regions_own_officers(corrections_cluster):
    from tests.e2e.test_corrections import enrol, seen_in

    subject, _ = enrol(corrections_cluster, J, "冯某", born="19710101", seq="611")
    violation = {"kind": "other", "occurred_at": datetime.now(UTC).isoformat(), "place": "p", "details": "细节"}
    assert (
        _officer(corrections_cluster, J, J).post(f"/subjects/{subject['id']}/violations", json=violation).status_code
        == 201
    )
    seen_in(corrections_cluster, Q, subject["id"])
    at_home_for_qingpu = _officer(corrections_cluster, J, Q).get(f"/subjects/{subject['id']}")
    assert at_home_for_qingpu.status_code == 200
    assert all("details" not in v for v in at_home_for_qingpu.json()["violations"])
    assert (
        _officer(corrections_cluster, J, J).get(f"/subjects/{subject['id']}").json()["violations"][0]["details"]
        == "细节"
    )


def test_a_future_trip_opens_nothing_until_it_starts_and_must_end_in_the_period(corrections_cluster):
    from tests.e2e.test_corrections import enrol, seen_in

    subject, _ = enrol(corrections_cluster, J, "陈某", born="19720202", seq="622")
    sid, home = subject["id"], _officer(corrections_cluster, J, J)
    too_long = home.post(f"/subjects/{sid}/travels", json=_trip("qingpu", zone_today() + timedelta(days=170), 20))
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "to_date"
    past = home.post(f"/subjects/{sid}/travels", json=_trip("qingpu", zone_today() - timedelta(days=1), 2))
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "from_date"
    travel = home.post(f"/subjects/{sid}/travels", json=_trip("qingpu", zone_today() + timedelta(days=14), 3))
    assert travel.status_code == 201, travel.text
    profile = seen_in(corrections_cluster, Q, sid, lambda s: s["status"] == "travel_approved")
    assert profile["status"] == "travel_approved"
    destination = _officer(corrections_cluster, Q, Q, "supervision")
    assert destination.get(f"/subjects/{sid}/detail").status_code == 403
    early = _officer(corrections_cluster, Q, Q).post(f"/travels/{travel.json()['id']}/check-in")
    assert early.status_code == 409


def test_transfer_hands_over_violation_details_and_released_subjects_take_no_violations(corrections_cluster):
    from tests.e2e.test_corrections import enrol, seen_in

    subject, _ = enrol(corrections_cluster, J, "褚某", born="19730303", seq="633")
    sid, home = subject["id"], _officer(corrections_cluster, J, J)
    violation = {
        "kind": "left_area",
        "occurred_at": datetime.now(UTC).isoformat(),
        "place": "p",
        "details": "未经批准离开",
    }
    assert home.post(f"/subjects/{sid}/violations", json=violation).status_code == 201
    transfer = home.post(f"/subjects/{sid}/transfers", json={"destination": "wujiang", "reason": "搬家"}).json()
    seen_in(corrections_cluster, W, sid, lambda s: s["status"] == "transfer_pending")
    office = {"supervising_office": "吴江区松陵司法所"}
    accepted = _officer(corrections_cluster, W, W, "transfer-handover").post(
        f"/transfers/{transfer['id']}/accept", json=office
    )
    assert accepted.status_code == 200, accepted.text
    new_home = _officer(corrections_cluster, W, W)
    after = eventually(
        lambda: (s := new_home.get(f"/subjects/{sid}").json())["home_region"] == "wujiang" and s, what="ownership"
    )
    assert [v["details"] for v in after["violations"]] == ["未经批准离开"]
    old = eventually(
        lambda: (s := home.get(f"/subjects/{sid}").json())["home_region"] == "wujiang" and s, what="hand-over"
    )
    assert all("details" not in v for v in old["violations"])
    assert new_home.post(f"/subjects/{sid}/report-in").status_code == 200
    assert new_home.post(f"/subjects/{sid}/release").status_code == 200
    late = new_home.post(f"/subjects/{sid}/violations", json=violation)
    assert late.status_code == 409 and late.json()["current_status"] == "released"


# 4. idempotency replays are fingerprinted and authorised; 8: audit entries name their record


def test_lookup_replays_are_fingerprinted_reauthorised_and_audited(corrections_cluster):
    from tests.e2e.test_corrections import enrol

    subject, number = enrol(corrections_cluster, J, "卫某", born="19740404", seq="644")
    key = {"idempotency-key": "lookup-1"}
    police = client(
        corrections_cluster,
        J,
        C,
        J,
        Role.POLICE_OFFICER,
        subject="js-police-9",
        **{"x-purpose": "law-enforcement"},
        **key,
    )
    first = police.post("/subjects/lookup", json={"id_number": number})
    assert first.json() == {"hit": True, "subject_id": subject["id"], "home_region": "jiashan"}
    assert police.post("/subjects/lookup", json={"id_number": number}).json() == first.json()
    other = police.post("/subjects/lookup", json={"id_number": id_number(seq="999")})
    assert other.status_code == 422  # the same key with another body
    no_purpose = client(
        corrections_cluster, J, C, J, Role.POLICE_OFFICER, Role.CORRECTIONS_OFFICER, subject="js-police-9", **key
    )
    assert no_purpose.post("/subjects/lookup", json={"id_number": number}).status_code in (403, 422)
    auditor = client(corrections_cluster, J, C, J, Role.SUPERVISOR, **{"x-purpose": "audit-review"})
    entries = auditor.get("/audit", params={"record": subject["id"], "limit": 500}).json()["items"]
    lookups = [e for e in entries if e["action"] == "corrections.lookup" and e["actor"] == "js-police-9"]
    assert [e["decision"] for e in lookups].count("allowed") == 2  # the first call and its replay
    assert any(e.get("reason") == "idempotent replay" for e in lookups)
    assert any(e["action"] == "corrections.enrol" for e in entries)


def test_same_key_same_body_other_roles_without_purpose_is_denied(corrections_cluster):
    from tests.e2e.test_corrections import enrol

    _, number = enrol(corrections_cluster, J, "蒋某", born="19750505", seq="655")
    headers = {"idempotency-key": "lookup-2", "x-purpose": "law-enforcement"}
    first = client(corrections_cluster, J, C, J, Role.POLICE_OFFICER, subject="js-p-2", **headers)
    assert first.post("/subjects/lookup", json={"id_number": number}).json()["hit"] is True
    # the same subject and key, now as an operator: the replay is authorised like a first call
    replay = client(corrections_cluster, J, C, J, Role.OPERATOR, subject="js-p-2", **headers)
    assert replay.post("/subjects/lookup", json={"id_number": number}).status_code == 403


def test_audit_names_the_record_of_issued_certificates_and_proof_requests(notary_cluster):
    notary = client(notary_cluster, Q, N, Q, Role.NOTARY)
    body = {
        "matter": "birth",
        "applicant": {"name": "沈某", "id_number": id_number(seq="667")},
        "document_sha256": sha("b"),
    }
    number = notary.post("/certificates", json=body).json()["number"]
    auditor = client(notary_cluster, Q, N, Q, Role.SUPERVISOR, **{"x-purpose": "audit-review"})
    assert [e["action"] for e in auditor.get("/audit", params={"record": number}).json()["items"]] == ["notary.issue"]


# 14, 15: cursors


def test_audit_pages_past_the_first_and_crafted_cursors_are_422(filing_cluster, notary_cluster):
    auditor = client(filing_cluster, J, F, J, Role.SUPERVISOR, **{"x-purpose": "audit-review"})
    first = auditor.get("/audit", params={"limit": 1}).json()
    assert first["next_cursor"]
    second = auditor.get("/audit", params={"limit": 1, "cursor": first["next_cursor"]})
    assert second.status_code == 200 and second.json()["items"][0]["index"] < first["items"][0]["index"]
    crafted = base64.urlsafe_b64encode(orjson.dumps([[1], [2]])).decode().rstrip("=")
    reader = client(filing_cluster, J, F, J, Role.SUPERVISOR)
    assert reader.get("/filings", params={"cursor": crafted}).status_code == 422
    notary_reader = client(notary_cluster, J, N, J, Role.NOTARY)
    assert notary_reader.get("/certificates", params={"cursor": crafted}).status_code == 422


# 16-22: the HTTP edge


def test_a_non_ascii_correlation_id_is_replaced_not_relayed(filing_cluster):
    filing_id = client(filing_cluster, J, F, J, Role.WINDOW_CLERK).post("/filings", json=filing_body()).json()["id"]
    received_everywhere(filing_cluster, filing_id)
    headers = {"authorization": f"Bearer {token(Q, Role.COURT_OFFICER)}", "x-purpose": "case-review"}
    url = filing_cluster.url(Q, F) + f"/v1/filings/{filing_id}/parties"
    response = httpx.get(url, headers=[*headers.items(), ("x-correlation-id", "相关-id".encode())])
    assert response.status_code == 200
    assert response.headers["x-correlation-id"] != "相关-id" and response.headers["x-correlation-id"].isascii()


def test_validation_errors_never_echo_values_and_name_fields(filing_cluster):
    clerk = client(filing_cluster, J, F, J, Role.WINDOW_CLERK)
    secret = id_number(seq="777")
    body = filing_body()
    body["parties"][0]["kind"] = secret
    response = clerk.post("/filings", json=body)
    assert response.status_code == 422 and secret not in response.text
    both_plaintiffs = filing_body()
    both_plaintiffs["parties"][1]["role"] = "plaintiff"
    fields = [e["field"] for e in clerk.post("/filings", json=both_plaintiffs).json()["errors"]]
    assert fields == ["parties"]
    not_json = clerk.post(
        "/filings", content=b'{"court_region": "qingpu", oops', headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400 and not_json.headers["content-type"] == "application/problem+json"


def test_bodies_are_not_read_before_authentication_and_are_capped(filing_cluster):
    url = filing_cluster.url(J, F) + "/v1/filings"
    anonymous = httpx.post(url, content=b"x" * 5_000_000, headers={"content-type": "application/json"})
    assert anonymous.status_code == 401
    bearer = {"authorization": f"Bearer {token(J, Role.WINDOW_CLERK)}", "content-type": "application/json"}
    too_large = httpx.post(url, content=b"x" * 2_000_000, headers=bearer)
    assert too_large.status_code == 413 and too_large.headers["content-type"] == "application/problem+json"

    def chunks():
        for _ in range(40):
            yield b"x" * 65536

    chunked = httpx.post(url, content=chunks(), headers=bearer)
    assert chunked.status_code == 413


def test_an_anonymous_caller_gets_401_without_the_body_being_waited_for(filing_cluster):
    """The gate answers from the headers alone: a body announced but never sent does not hold it up."""
    host, port = "127.0.0.1", int(filing_cluster.url(J, F).rsplit(":", 1)[1])
    with socket.create_connection((host, port), timeout=5) as raw:
        head = b"POST /v1/filings HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        raw.sendall(head + b"content-length: 50000000\r\n\r\n")
        answer = raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 401")


def test_security_headers(filing_cluster):
    clerk = client(filing_cluster, J, F, J, Role.WINDOW_CLERK)
    response = clerk.get("/filings")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    health = httpx.get(filing_cluster.url(J, F) + "/healthz")
    assert health.headers["x-content-type-options"] == "nosniff"
