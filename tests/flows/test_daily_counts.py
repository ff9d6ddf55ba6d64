"""`GET /v1/daily`: the exact number of events each region wrote on a day, from any region's store (every
region's records are projected there), for the daily digest; operators and supervisors only."""

from __future__ import annotations

from datetime import timedelta

from shared.contracts.regions import Domain, Region, zone_today
from shared.rules.policy import Role
from tests.backends import sqlite_only
from tests.e2e.filing_data import filing_body
from tests.flows.test_gauge_plans import reads_every_row
from tests.instances import token

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG


def test_a_day_s_events_are_counted_by_the_region_that_wrote_them_in_every_region(zone_of):
    zone = zone_of(Domain.FILING)
    window = zone.client(J, token=token(J, Role.WINDOW_CLERK))
    court = zone.client(Q, token=token(Q, Role.COURT_OFFICER))
    ids = [window.post("/filings", json=filing_body(court="qingpu")).json()["id"] for _ in range(3)]
    assert court.post(f"/filings/{ids[0]}/accept").status_code == 200
    today = zone_today().isoformat()
    expected = {"jiashan": {"submitted": 3}, "qingpu": {"received": 3, "accepted": 1}}
    for region in Region:  # each region's operators ask their own instance; all see the same zone
        answer = zone.client(region, token=token(region, Role.OPERATOR)).get("/daily", params={"date": today})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"day": today, "counts": expected}
    yesterday = (zone_today() - timedelta(days=1)).isoformat()
    operator = zone.client(W, token=token(W, Role.OPERATOR))
    assert operator.get("/daily", params={"date": yesterday}).json()["counts"] == {}


def test_only_operators_and_supervisors_read_the_counts_and_the_day_is_a_date(zone_of):
    zone = zone_of(Domain.FILING)
    today = zone_today().isoformat()
    assert zone.client(J, token=token(J, Role.WINDOW_CLERK)).get("/daily", params={"date": today}).status_code == 403
    assert zone.client(J).get("/daily", params={"date": today}).status_code == 401
    bad = zone.client(J, token=token(J, Role.OPERATOR)).get("/daily", params={"date": "yesterday"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


@sqlite_only("its planner's EXPLAIN QUERY PLAN of the count")
def test_the_count_reads_the_day_s_index_entries_not_every_event(zone_of):
    conn = zone_of(Domain.FILING).runtime(Q).store.connect()
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT region, type, count(*) FROM timeline WHERE at >= ? AND at < ? GROUP BY region, type",
        ("2026-01-01", "2026-01-02"),
    ).fetchall()
    assert [step[3] for step in plan if reads_every_row(conn, step[3])] == []
    assert any("timeline_by_day" in step[3] for step in plan)
