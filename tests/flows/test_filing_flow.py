"""A filing across three regions, in-process: submitted at the Jiashan window for the Qingpu court,
received by Qingpu the moment it arrives, accepted there, and seen accepted back at Jiashan."""

from __future__ import annotations

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.instances import token

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG


def test_a_filing_crosses_the_zone_and_comes_back_accepted(zone_of):
    zone = zone_of(Domain.FILING)
    window = zone.client(J, token=token(J, Role.WINDOW_CLERK))
    court = zone.client(Q, token=token(Q, Role.COURT_OFFICER))

    submitted = window.post("/filings", json=filing_body(court="qingpu"))
    assert submitted.status_code == 202, submitted.text
    filing_id = submitted.json()["id"]
    assert court.get(f"/filings/{filing_id}").json()["status"] == "received"  # the court's reaction

    accepted = court.post(f"/filings/{filing_id}/accept")
    assert accepted.status_code == 200, accepted.text
    docket = accepted.json()["docket_number"]
    back_home = window.get(f"/filings/{filing_id}").json()
    assert back_home["status"] == "accepted" and back_home["docket_number"] == docket
    assert [step["type"] for step in back_home["timeline"]] == ["submitted", "received", "accepted"]
    for region in Region:  # every region's read model agrees
        assert zone.rows(region, "SELECT status, docket_number FROM filings") == [
            {"status": "accepted", "docket_number": docket}
        ]


def test_the_court_reads_parties_from_the_receiving_window_point_to_point(zone_of):
    zone = zone_of(Domain.FILING)
    window = zone.client(J, token=token(J, Role.WINDOW_CLERK))
    filing_id = window.post("/filings", json=filing_body(court="qingpu")).json()["id"]
    court = zone.client(Q, token=token(Q, Role.COURT_OFFICER), **{"x-purpose": "case-review"})

    parties = court.get(f"/filings/{filing_id}/parties")

    assert parties.status_code == 200, parties.text
    assert parties.json()["holder_region"] == "jiashan"
    assert zone.rows(Q, "SELECT count(*) AS n FROM filing_parties") == [{"n": 0}]  # never copied to the court


def test_a_submission_at_the_court_region_itself_is_received_at_once(zone_of):
    zone = zone_of(Domain.FILING, hold=True)  # nothing delivered: the court's own reaction does it
    window = zone.client(Q, token=token(Q, Role.WINDOW_CLERK))

    filing = window.post("/filings", json=filing_body(court="qingpu")).json()

    assert filing["status"] == "received"
    events = [d.event() for d in zone.take()]
    assert [e.type.name for e in events if e.type.domain is Domain.FILING] == ["submitted", "received"]


def test_a_retried_submission_with_its_key_gets_the_first_answer_and_a_new_body_is_refused(zone_of):
    zone = zone_of(Domain.FILING)
    window = zone.client(J, token=token(J, Role.WINDOW_CLERK), **{"idempotency-key": "k-1"})

    first = window.post("/filings", json=filing_body(court="wujiang"))
    again = window.post("/filings", json=filing_body(court="wujiang"))
    other = window.post("/filings", json=filing_body(court="qingpu"))

    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 422 and other.json()["type"].endswith("idempotency-key-reused")
    assert zone.rows(W, "SELECT count(*) AS n FROM filings") == [{"n": 1}]
