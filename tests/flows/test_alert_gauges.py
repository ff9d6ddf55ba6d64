"""The gauges two domain alerts read (deploy/prometheus/rules/yrd.yml), so each reaches the region that
must act: AlertUnacknowledgedPastDeadline (the owner counts, by severity and target, its active alerts a
target has let pass their acknowledgement deadline; an acknowledgement takes the target out) and
ProofRequestsOverdue (by the region holding the proof)."""

from __future__ import annotations

import time

from prometheus_client import REGISTRY

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.alert_data import alert_body
from tests.instances import token

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG


def overdue(zone, region: Region) -> dict[tuple[str, str], float]:
    for refresh in zone.runtime(region).gauges:
        refresh()
    return {
        (s.labels["severity"], s.labels["target"]): s.value
        for metric in REGISTRY.collect()
        if metric.name == "yrd_alerts_unacknowledged_overdue"
        for s in metric.samples
        if s.labels["region"] == region.value
    }


def test_the_owner_counts_what_each_target_left_unacknowledged_past_its_deadline(zone_of, monkeypatch):
    # Severity I due within 4 s (II keeps 5 minutes): raising three alerts must fit in it, and on PostgreSQL
    # beside a busy suite a 1 s window was once over before the first check.
    monkeypatch.setenv("YRD_ALERTS_ACK_I_SECONDS", "4")
    zone = zone_of(Domain.ALERTS)
    officer = zone.client(J, token=token(J, Role.POLICE_OFFICER))
    for severity in ("I", "I", "II"):
        assert officer.post("/alerts", json=alert_body(severity=severity)).status_code == 201
    assert overdue(zone, J) == {}  # nothing is late yet
    time.sleep(4.2)
    assert overdue(zone, J) == {("I", "qingpu"): 2, ("I", "wujiang"): 2}
    first = officer.get("/alerts", params={"severity": "I"}).json()["items"][0]["id"]
    assert zone.client(Q, token=token(Q, Role.POLICE_OFFICER)).post(f"/alerts/{first}/ack").status_code == 200
    assert overdue(zone, J) == {("I", "qingpu"): 1, ("I", "wujiang"): 2}
    assert overdue(zone, Q) == {}  # only the owner counts its alerts


def test_overdue_proof_requests_are_counted_by_the_region_holding_the_proof(zone_of, monkeypatch):
    """What ProofRequestsOverdue reads: the region that must answer, not only the office that asked."""
    from tests.e2e.notary_data import proof_request_body

    monkeypatch.setenv("YRD_NOTARY_PROOF_ANSWER_SECONDS", "1")
    zone = zone_of(Domain.NOTARY)
    notary = zone.client(Q, token=token(Q, Role.NOTARY))
    for holder in ("jiashan", "jiashan", "wujiang"):
        assert notary.post("/proof-requests", json=proof_request_body(holder)).status_code == 201
    time.sleep(1.2)
    zone.scan()  # the office's deadline scanner flags them overdue
    for refresh in zone.runtime(Q).gauges:
        refresh()
    by_holder = {
        s.labels["holder"]: s.value
        for metric in REGISTRY.collect()
        if metric.name == "yrd_notary_proof_requests_overdue_by_holder"
        for s in metric.samples
        if s.labels["region"] == "qingpu"
    }
    assert by_holder == {"jiashan": 2, "wujiang": 1}
