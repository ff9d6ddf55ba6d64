"""At the window (broker-free): a party asks where their filing stands with the code given at submission,
without a login and without seeing anyone's personal data; a correction whose deadline passes without a
resubmission lapses once, visibly at the window, and the court may then reject."""

from __future__ import annotations

import re
from datetime import timedelta

from services.filing import service
from shared.contracts.regions import Domain, Region, zone_today
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.instances import token

J, Q = Region.JIASHAN, Region.QINGPU
STATUS = "http://testserver/public/v1/filing-status"


def submit(zone, **headers) -> dict:
    answer = zone.client(J, token=token(J, Role.WINDOW_CLERK), **headers).post("/filings", json=filing_body())
    assert answer.status_code == 202, answer.text
    return answer.json()


def ask(zone, region: Region, filing_id: str, code: str):
    return zone.client(region).post(STATUS, json={"filing_id": filing_id, "filing_code": code})


def test_a_party_asks_with_the_code_given_at_submission_and_sees_no_personal_data(zone_of):
    zone = zone_of(Domain.FILING)
    filing = submit(zone, **{"idempotency-key": "window-1"})
    code = filing["filing_code"]
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", code)
    assert submit(zone, **{"idempotency-key": "window-1"})["filing_code"] == code  # a retry gets the same

    answer = ask(zone, J, filing["id"], code.lower().replace("-", " "))  # as a party might type it
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert seen["status"] == "received" and seen["court_region"] == "qingpu" and seen["correction"] is None
    assert set(seen) == {
        "filing_id", "court_region", "status", "submitted_at", "received_at", "decided_at", "docket_number",
        "reason", "correction",
    }  # fmt: skip
    assert answer.headers["cache-control"] == "no-store"
    for wrong in (ask(zone, J, filing["id"], "00000-00000"), ask(zone, Q, filing["id"], code)):
        assert wrong.status_code == 404  # a wrong code, or asked where the code is not kept: the same answer
    assert zone.client(J).get(f"/filings/{filing['id']}").status_code == 401  # the rest still needs a login


def test_a_correction_that_lapses_is_flagged_once_and_the_court_may_then_reject(zone_of):
    zone = zone_of(Domain.FILING)
    filing = submit(zone)
    court = zone.client(Q, token=token(Q, Role.COURT_OFFICER))
    deadline = zone_today() + timedelta(days=3)
    notice = {"missing_items": ["证据目录", "原告身份证明"], "deadline": deadline.isoformat()}
    assert court.post(f"/filings/{filing['id']}/request-correction", json=notice).status_code == 200
    refused = court.post(f"/filings/{filing['id']}/reject", json={"reason": "逾期未补正"})
    assert refused.status_code == 409  # not while the party may still supply what is missing

    told = ask(zone, J, filing["id"], filing["filing_code"]).json()["correction"]
    assert told == {"missing_items": notice["missing_items"], "deadline": notice["deadline"], "lapsed": False}

    runtime = zone.runtime(Q)
    for today in (deadline, deadline + timedelta(days=1), deadline + timedelta(days=2)):  # the court's scanner
        runtime.store.write(lambda conn, day=today: service.scan_lapsed_corrections(runtime.unit_of_work(conn), day))
        zone.settle()
    window = zone.client(J, token=token(J, Role.WINDOW_CLERK)).get(f"/filings/{filing['id']}").json()
    assert window["correction_lapsed"] is True
    assert [e["type"] for e in window["timeline"]].count("correction-lapsed") == 1  # once, however often it scans
    assert ask(zone, J, filing["id"], filing["filing_code"]).json()["correction"]["lapsed"] is True

    rejected = court.post(f"/filings/{filing['id']}/reject", json={"reason": "逾期未补正"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert ask(zone, J, filing["id"], filing["filing_code"]).json()["reason"] == "逾期未补正"
