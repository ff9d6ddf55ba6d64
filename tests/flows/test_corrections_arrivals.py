"""What arrives at a region's corrections office (broker-free): the trips coming to it by their first day and
the transfers awaiting its acceptance oldest first, page after page by cursor, each reader seeing what the
policy lets it read (a supervisor: its own region's subjects and what comes to its region)."""

from __future__ import annotations

from datetime import timedelta

from shared.contracts.regions import Domain, Region, zone_today
from shared.rules.policy import Role
from tests.flows.corrections_data import enrolled
from tests.instances import token

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG


def as_(zone, region: Region, role: Role = Role.CORRECTIONS_OFFICER):
    return zone.client(region, token=token(region, role))


def trip(zone, home: Region, subject_id: str, to: str, starts_in: int) -> str:
    first = zone_today() + timedelta(days=starts_in)
    body = {"destination": to, "from_date": first.isoformat(), "to_date": first.isoformat(), "reason": "探亲"}
    answer = as_(zone, home).post(f"/subjects/{subject_id}/travels", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def transfer(zone, subject_id: str, to: str) -> str:
    answer = as_(zone, J).post(f"/subjects/{subject_id}/transfers", json={"destination": to, "reason": "迁居"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def every_page(client, path: str, **query) -> list[dict]:
    """The whole list, one row a page, following the cursors."""
    items, cursor = [], None
    while True:
        answer = client.get(path, params={**query, "limit": 1, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        items += answer.json()["items"]
        if not (cursor := answer.json()["next_cursor"]):
            return items


def test_trips_and_transfers_arriving_in_a_region_in_order_as_the_policy_lets_each_reader_see(zone_of):
    zone = zone_of(Domain.CORRECTIONS)
    later = trip(zone, J, enrolled(zone, J, "101"), "qingpu", 5)
    sooner = trip(zone, J, enrolled(zone, J, "102"), "qingpu", 1)
    elsewhere = trip(zone, J, enrolled(zone, J, "103"), "wujiang", 2)
    from_wujiang = trip(zone, W, enrolled(zone, W, "104"), "qingpu", 3)
    first = transfer(zone, enrolled(zone, J, "105"), "qingpu")
    second = transfer(zone, enrolled(zone, J, "106"), "qingpu")
    to_wujiang = transfer(zone, enrolled(zone, J, "107"), "wujiang")
    zone.settle()

    officer = as_(zone, Q)
    arriving = every_page(officer, "/travels", destination="qingpu", status="approved")
    assert [t["id"] for t in arriving] == [sooner, from_wujiang, later]  # by first day, across pages
    assert [t["home_region"] for t in arriving] == ["jiashan", "wujiang", "jiashan"]
    assert [t["id"] for t in every_page(officer, "/transfers", destination="qingpu", status="pending")] == [
        first,
        second,
    ]  # oldest request first
    assert {t["id"] for t in every_page(officer, "/travels")} == {sooner, from_wujiang, later, elsewhere}

    # A supervisor reads its own region's subjects and what comes to its region, nothing else.
    wujiang = as_(zone, W, Role.SUPERVISOR)
    assert [t["id"] for t in every_page(wujiang, "/travels", destination="qingpu")] == [from_wujiang]
    assert [t["id"] for t in every_page(wujiang, "/transfers", destination="qingpu")] == []
    assert [t["id"] for t in every_page(wujiang, "/transfers")] == [to_wujiang]
    assert [t["id"] for t in every_page(as_(zone, Q, Role.SUPERVISOR), "/travels")] == [
        sooner,
        from_wujiang,
        later,
    ]
    for path in ("/travels", "/transfers"):  # a role with no corrections read grant at all
        assert as_(zone, Q, Role.WINDOW_CLERK).get(path).status_code == 403
    assert officer.get("/transfers", params={"status": "lost"}).status_code == 422
