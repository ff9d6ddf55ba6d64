"""The duty officer's view across the zone (broker-free): the alerts awaiting my region's acknowledgement,
soonest due first and flagged as their deadline nears; alerts by when they were raised; and the requests for
reinforcement addressed to my region, pending first."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.alert_data import alert_body
from tests.instances import token

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG


def officer(zone, region: Region):
    return zone.client(region, token=token(region, Role.POLICE_OFFICER))


def raise_alert(zone, region: Region, **body) -> dict:
    answer = officer(zone, region).post("/alerts", json=alert_body(**body))
    assert answer.status_code == 201, answer.text
    return answer.json()


def listed(zone, region: Region, **query) -> list[dict]:
    answer = officer(zone, region).get("/alerts", params=query)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_the_inbox_holds_what_my_region_must_still_acknowledge_soonest_due_first(zone_of, monkeypatch):
    monkeypatch.setenv("YRD_ALERTS_ACK_I_SECONDS", "1")  # severity I due within a second; II keeps 10 minutes
    zone = zone_of(Domain.ALERTS)
    routine = raise_alert(zone, W, severity="II")
    urgent = raise_alert(zone, J, severity="I")  # raised later, due sooner
    not_mine = raise_alert(zone, J, severity="II", targets=["wujiang"])

    inbox = listed(zone, Q, awaiting_ack="true")
    assert [a["id"] for a in inbox] == [urgent["id"], routine["id"]]
    assert all(a["awaiting_my_ack"] for a in inbox)
    # Wujiang's: Jiashan's two (the urgent one first), never its own.
    assert [a["id"] for a in listed(zone, W, awaiting_ack="true")] == [urgent["id"], not_mine["id"]]

    time.sleep(1.1)  # the severity I alert's window has run out: flagged in every list of Qingpu's
    flags = {a["id"]: a["deadline_near"] for a in listed(zone, Q)}
    assert flags[urgent["id"]] and not flags[routine["id"]]

    assert officer(zone, Q).post(f"/alerts/{urgent['id']}/ack").status_code == 200
    assert [a["id"] for a in listed(zone, Q, awaiting_ack="true")] == [routine["id"]]
    done = next(a for a in listed(zone, Q) if a["id"] == urgent["id"])
    assert not done["awaiting_my_ack"] and not done["deadline_near"]


def test_alerts_are_found_by_when_they_were_raised(zone_of):
    zone = zone_of(Domain.ALERTS)
    earlier = raise_alert(zone, W)
    between = datetime.now(UTC).isoformat()
    later = raise_alert(zone, W)
    assert [a["id"] for a in listed(zone, Q, raised_from=between)] == [later["id"]]
    assert [a["id"] for a in listed(zone, Q, raised_to=between)] == [earlier["id"]]
    assert officer(zone, Q).get("/alerts", params={"raised_from": "yesterday"}).status_code == 422


def test_reinforcement_requests_addressed_to_my_region_pending_first(zone_of):
    zone = zone_of(Domain.ALERTS)
    alert = raise_alert(zone, W)
    asks = []
    for units in (4, 6, 8):
        ask = {"to_region": "jiashan", "units": units, "kind": "巡逻车", "rendezvous": "汾湖大道收费站"}
        answer = officer(zone, W).post(f"/alerts/{alert['id']}/reinforcement-requests", json=ask)
        assert answer.status_code == 201, answer.text
        asks.append(answer.json()["id"])
    answered = officer(zone, J).post(
        f"/reinforcement-requests/{asks[0]}/respond", json={"outcome": "declined", "reason": "警力已全部出动"}
    )
    assert answered.status_code == 200, answered.text

    def requests(**query) -> list[dict]:
        answer = officer(zone, J).get("/reinforcement-requests", params={"to_region": "jiashan", **query})
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]

    assert [r["id"] for r in requests()] == [asks[1], asks[2], asks[0]]  # pending first, oldest first
    assert [r["id"] for r in requests(status="open")] == [asks[1], asks[2]]
    walked, cursor = [], None
    while True:  # the same order page by page
        answer = officer(zone, J).get(
            "/reinforcement-requests", params={"limit": 1, **({"cursor": cursor} if cursor else {})}
        )
        walked += [r["id"] for r in answer.json()["items"]]
        if not (cursor := answer.json()["next_cursor"]):
            break
    assert walked == [asks[1], asks[2], asks[0]]
    assert requests(to_region="qingpu") == []
