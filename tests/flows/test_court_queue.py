"""A court's queue by deadline (broker-free): `order=due` lists one court's filings of one status soonest
decision deadline first, the overdue ones first, page after page by cursor; without a court and a status
it is refused (it would not be read from an index)."""

from __future__ import annotations

import time

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.instances import token

J, Q = Region.JIASHAN, Region.QINGPU


def test_the_court_queue_lists_soonest_deadline_first_across_pages(zone_of, monkeypatch):
    monkeypatch.setenv("YRD_FILING_DECISION_SECONDS", "2")
    zone = zone_of(Domain.FILING)
    clerk = zone.client(J, token=token(J, Role.WINDOW_CLERK))
    court = zone.client(Q, token=token(Q, Role.COURT_OFFICER))

    def file(court_region: str = "qingpu") -> str:
        answer = clerk.post("/filings", json=filing_body(court=court_region))
        assert answer.status_code == 202, answer.text
        zone.settle()
        return answer.json()["id"]

    late = file()
    time.sleep(2.1)
    zone.runtime(Q).scan_once()  # the court's deadline scanner flags the first one overdue
    zone.settle()
    first, second, elsewhere = file(), file(), file("wujiang")

    queue = {"court_region": "qingpu", "status": "received", "order": "due", "limit": 1}
    seen, cursor = [], None
    while True:
        answer = court.get("/filings", params={**queue, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        seen += answer.json()["items"]
        if not (cursor := answer.json()["next_cursor"]):
            break
    assert [f["id"] for f in seen] == [late, first, second]  # by deadline; another court's filing not in it
    assert [f["overdue_flagged"] for f in seen] == [True, False, False]
    assert elsewhere not in {f["id"] for f in seen}
    newest = court.get("/filings", params={"court_region": "qingpu", "status": "received"}).json()["items"]
    assert [f["id"] for f in newest] == [second, first, late]  # the default order is unchanged


def test_order_due_without_a_court_and_a_status_is_refused(zone_of):
    court = zone_of(Domain.FILING).client(Q, token=token(Q, Role.COURT_OFFICER))
    for query in ({"order": "due"}, {"order": "due", "status": "received"}, {"order": "due", "court_region": "qingpu"}):
        answer = court.get("/filings", params=query)
        assert answer.status_code == 422, (query, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert court.get("/filings", params={"order": "soonest"}).status_code == 422
