"""Joint alerts over HTTP against three running instances: acknowledgement, escalation across a restart
of the owner, reinforcement, sightings, and read models that agree."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.alert_data import alert_body
from tests.helpers import eventually
from tests.instances import token

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
A = Domain.ALERTS
ACK_I_SECONDS = 4


def police(cluster, region, acting: Region | None = None):
    return cluster.client(region, A, token(acting or region, Role.POLICE_OFFICER))


def view(cluster, region, alert_id):
    response = police(cluster, region).get(f"/alerts/{alert_id}")
    return response.json() if response.status_code == 200 else None


def test_severity_one_alert_acknowledged_by_one_target_escalates_the_other_once(alerts_cluster):
    raised = police(alerts_cluster, W).post("/alerts", json=alert_body())
    assert raised.status_code == 201, raised.text
    alert = raised.json()
    alert_id = alert["id"]
    assert alert["targets"] == ["jiashan", "qingpu"]

    eventually(lambda: view(alerts_cluster, J, alert_id), what="the alert at jiashan")
    assert police(alerts_cluster, J).post(f"/alerts/{alert_id}/ack").status_code == 200

    # The owner goes down before the deadline and comes back after it: the deadline is in its store.
    alerts_cluster.stop(W, A)
    time.sleep(ACK_I_SECONDS + 1)
    alerts_cluster.start(W, A)
    alerts_cluster.wait_ready()

    def escalated_everywhere():
        views = [view(alerts_cluster, r, alert_id) for r in (J, Q, W)]
        return (
            views
            if all(
                v
                and {a["region"]: a["escalated_at"] is not None for a in v["acknowledgements"]}
                == {"jiashan": False, "qingpu": True}
                for v in views
            )
            else None
        )

    views = eventually(escalated_everywhere, what="qingpu escalated in every region")
    for v in views:
        acks = {a["region"]: a for a in v["acknowledgements"]}
        assert acks["jiashan"]["acknowledged_at"] is not None
        assert acks["qingpu"]["acknowledged_at"] is None

    alerts_cluster.stop(W, A)  # and once more: a restart after the escalation escalates nothing again
    alerts_cluster.start(W, A)
    alerts_cluster.wait_ready()
    time.sleep(1.5)
    for region in (J, Q, W):
        timeline = eventually(lambda r=region: view(alerts_cluster, r, alert_id), what="view")["timeline"]
        assert [e["detail"]["region"] for e in timeline if e["type"] == "escalated"] == ["qingpu"]


def test_reinforcement_sighting_update_close_and_agreeing_read_models(alerts_cluster):
    alert_id = police(alerts_cluster, W).post("/alerts", json=alert_body(severity="III")).json()["id"]
    eventually(lambda: view(alerts_cluster, Q, alert_id), what="the alert at qingpu")

    asked = police(alerts_cluster, W).post(
        f"/alerts/{alert_id}/reinforcement-requests",
        json={"to_region": "jiashan", "units": 4, "kind": "巡逻车", "rendezvous": "汾湖高新区管委会"},
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["id"]
    eventually(
        lambda: any(
            r["id"] == request_id for r in (view(alerts_cluster, J, alert_id) or {}).get("reinforcement_requests", [])
        ),
        what="the request at jiashan",
    )
    eta = (datetime.now(UTC) + timedelta(minutes=20)).isoformat()
    answered = police(alerts_cluster, J).post(
        f"/reinforcement-requests/{request_id}/respond", json={"outcome": "dispatched", "units": 4, "eta": eta}
    )
    assert answered.status_code == 200, answered.text
    again = police(alerts_cluster, J).post(
        f"/reinforcement-requests/{request_id}/respond", json={"outcome": "declined", "reason": "twice"}
    )
    assert again.status_code == 409

    sighting = police(alerts_cluster, Q).post(
        f"/alerts/{alert_id}/sightings",
        json={
            "seen_at": datetime.now(UTC).isoformat(),
            "details": "白色轿车驶入318国道",
            "location": {"lat": 31.1, "lon": 121.0, "address": "上海市青浦区金泽镇318国道"},
        },
    )
    assert sighting.status_code == 201, sighting.text

    owner_sees = eventually(
        lambda: (
            (v := view(alerts_cluster, W, alert_id))
            and v["sightings"]
            and v["reinforcement_requests"][0]["status"] == "dispatched"
            and v
        ),
        what="owner sees all",
    )
    assert owner_sees["sightings"][0]["region"] == "qingpu"

    patched = police(alerts_cluster, W).patch(f"/alerts/{alert_id}", json={"description": "嫌疑人已弃车步行"})
    assert patched.status_code == 200
    assert police(alerts_cluster, W).post(f"/alerts/{alert_id}/close", json={"outcome": "resolved"}).status_code == 200

    def agreed():
        views = [view(alerts_cluster, r, alert_id) for r in (J, Q, W)]
        keys = {
            (v["status"], v["version"], v["description"], len(v["sightings"]), v["reinforcement_requests"][0]["status"])
            for v in views
            if v
        }
        return keys if len(keys) == 1 and all(views) else None

    assert eventually(agreed, what="all three read models agree") == {
        ("resolved", 3, "嫌疑人已弃车步行", 1, "dispatched")
    }
    closed_again = police(alerts_cluster, W).post(f"/alerts/{alert_id}/close", json={"outcome": "cancelled"})
    assert closed_again.status_code == 409 and closed_again.json()["current_status"] == "resolved"


def test_no_region_acts_for_another(alerts_cluster):
    alert_id = police(alerts_cluster, W).post("/alerts", json=alert_body(severity="II")).json()["id"]
    eventually(lambda: view(alerts_cluster, J, alert_id), what="the alert at jiashan")
    on_behalf = police(alerts_cluster, J, acting=Q).post(f"/alerts/{alert_id}/ack")
    assert on_behalf.status_code == 403
    assert police(alerts_cluster, J).post(f"/alerts/{alert_id}/close", json={"outcome": "cancelled"}).status_code == 403
    assert police(alerts_cluster, W).post(f"/alerts/{alert_id}/ack").status_code == 403  # the owner is no target


def test_expiry_closes_the_alert(alerts_cluster):
    body = alert_body(severity="IV")
    body["valid_until"] = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    alert_id = police(alerts_cluster, Q).post("/alerts", json=body).json()["id"]
    for region in (J, Q, W):
        eventually(
            lambda r=region: (view(alerts_cluster, r, alert_id) or {}).get("status") == "expired",
            what="expiry everywhere",
        )


def test_list_filters(alerts_cluster):
    alert_id = (
        police(alerts_cluster, J).post("/alerts", json=alert_body(severity="II", targets=["wujiang"])).json()["id"]
    )
    listed = (
        police(alerts_cluster, J)
        .get("/alerts", params={"origin": "jiashan", "target": "wujiang", "severity": "II"})
        .json()["items"]
    )
    assert alert_id in [a["id"] for a in listed]
    assert all(a["origin_region"] == "jiashan" and "wujiang" in a["targets"] for a in listed)
    none = (
        police(alerts_cluster, J)
        .get("/alerts", params={"origin": "jiashan", "target": "qingpu", "severity": "II"})
        .json()["items"]
    )
    assert alert_id not in [a["id"] for a in none]


def test_the_duty_officers_inbox_and_reinforcement_requests_across_regions(alerts_cluster):
    alert_id = police(alerts_cluster, W).post("/alerts", json=alert_body(severity="III")).json()["id"]

    def in_inbox() -> bool:
        inbox = police(alerts_cluster, J).get("/alerts", params={"awaiting_ack": "true", "limit": 100}).json()
        return alert_id in [a["id"] for a in inbox["items"]]

    eventually(in_inbox, what="the alert in Jiashan's inbox")
    assert police(alerts_cluster, J).post(f"/alerts/{alert_id}/ack").status_code == 200
    assert not in_inbox()

    def requests_at(region: Region, **params: str) -> list[str]:
        found = police(alerts_cluster, region).get("/reinforcement-requests", params={**params, "limit": 100})
        return [r["id"] for r in found.json()["items"]]

    ask = {"to_region": "jiashan", "units": 3, "kind": "特警", "rendezvous": "汾湖高新区"}
    request_id = police(alerts_cluster, W).post(f"/alerts/{alert_id}/reinforcement-requests", json=ask).json()["id"]
    eventually(lambda: request_id in requests_at(J, to_region="jiashan", status="open"))
    eta = (datetime.now(UTC) + timedelta(minutes=20)).isoformat()
    answer = police(alerts_cluster, J).post(
        f"/reinforcement-requests/{request_id}/respond", json={"outcome": "dispatched", "units": 3, "eta": eta}
    )
    assert answer.status_code == 200, answer.text
    assert request_id not in requests_at(J, to_region="jiashan", status="open")
    eventually(lambda: request_id in requests_at(W, status="dispatched"), what="the dispatch at Wujiang")
