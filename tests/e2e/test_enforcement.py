"""同案同罚 against running instances and the real broker: a zone benchmark approved by the three regions
comes into force everywhere, a decision recorded over HTTP in one region is seen in the others without its
party, and an enforcement bureau's system records a decision with a Kafka command, answered on the results
topic like the HTTP call. (The whole cross-region scenario runs broker-free: tests/flows/test_enforcement_flow.py.)"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import orjson
import pytest

from shared.adapters.kafka.replay import read_to_end
from shared.contracts.commands import RECORD_DECISION
from shared.contracts.regions import Domain, Region, zone_today
from shared.contracts.topics import commands, results
from shared.rules.policy import Role
from tests.e2e.test_commands import send
from tests.helpers import eventually
from tests.instances import token

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
E = Domain.ENFORCEMENT
CODE = "E2E-WATER"
PARTY = {"kind": "organisation", "name": "青浦某某印染有限公司", "credit_code": "91330421MA2B3C4D5K"}


def benchmark_body(code: str = CODE, effective_from: date | None = None) -> dict:
    return {
        "code": code,
        "name": "超过水污染物排放标准排放水污染物",
        "legal_basis": "《水污染防治法》第十条",
        "article": "《水污染防治法》第八十三条",
        "tiers": [
            {
                "tier": "serious",
                "criteria": [{"factor": "exceedance_ratio", "op": "at_least", "value": 1.0}],
                "range": {"fine_min_yuan": 400_000, "fine_max_yuan": 700_000},
            },
            {"tier": "ordinary", "range": {"fine_min_yuan": 100_000, "fine_max_yuan": 400_000}},
        ],
        "effective_from": (effective_from or zone_today() - timedelta(days=30)).isoformat(),
    }


def decision_body(fine: int, code: str = CODE, **more) -> dict:
    return {
        "code": code,
        "violation_date": zone_today().isoformat(),
        "factors": {"exceedance_ratio": 0.2},
        "party": PARTY,
        "penalty": {"fine_yuan": fine},
        **more,
    }


def in_force_everywhere(cluster, code: str) -> None:
    for region in Region:
        client = cluster.client(region, E, token(region, Role.ENFORCEMENT_OFFICER))
        params = {"code": code, "on": zone_today().isoformat(), "region": region.value}
        eventually(
            lambda c=client, p=params: c.get("/benchmarks/in-force", params=p).status_code == 200,
            what=f"{code} in force in {region.value}",
        )


def adopted_benchmark(cluster, code: str = CODE) -> str:
    """A Qingpu zone benchmark, approved by the three regions and in force everywhere."""
    legal = {r: cluster.client(r, E, token(r, Role.ENFORCEMENT_LEGAL)) for r in Region}
    created = legal[Q].post("/benchmarks", json=benchmark_body(code))
    assert created.status_code == 201, created.text
    benchmark_id = created.json()["id"]
    for region in Region:
        eventually(
            lambda r=region: legal[r].get(f"/benchmarks/{benchmark_id}").status_code == 200,
            what=f"the proposal in {region.value}",
        )
        voted = legal[region].post(f"/benchmarks/{benchmark_id}/votes", json={"version": 1, "vote": "approve"})
        assert voted.status_code == 200, voted.text
    in_force_everywhere(cluster, code)
    return benchmark_id


def enforcement_records(cluster, seen_everywhere) -> dict[str, str]:
    """For the policy matrix: an adopted Qingpu benchmark, and a Jiashan decision outside its range, pending."""
    code = f"MATRIX-{uuid.uuid4().hex[:6]}"
    benchmark_id = adopted_benchmark(cluster, code)
    officer = cluster.client(J, E, token(J, Role.ENFORCEMENT_OFFICER))
    pending = officer.post("/decisions", json=decision_body(50_000, code, outside_reason="减轻处罚"))
    assert pending.status_code == 201, pending.text
    decision_id = pending.json()["id"]
    seen_everywhere(cluster, E, "decisions", decision_id, "status = 'pending_review'")
    return {"benchmark_id": benchmark_id, "decision_id": decision_id, "code": code}


def test_a_benchmark_the_three_approve_is_in_force_and_decisions_travel_without_their_party(enforcement_cluster):
    adopted_benchmark(enforcement_cluster)
    officer = enforcement_cluster.client(Q, E, token(Q, Role.ENFORCEMENT_OFFICER))
    recorded = officer.post("/decisions", json=decision_body(200_000))
    assert recorded.status_code == 201, recorded.text
    decision = recorded.json()
    assert (decision["tier"], decision["within_range"], decision["status"]) == ("ordinary", True, "final")

    wujiang = enforcement_cluster.client(W, E, token(W, Role.ENFORCEMENT_OFFICER))
    seen = eventually(lambda: wujiang.get(f"/decisions/{decision['id']}").json().get("tier"), what="the summary")
    assert seen == "ordinary"
    purpose = {"x-purpose": "law-enforcement"}
    assert wujiang.get(f"/decisions/{decision['id']}/party", headers=purpose).status_code == 403
    party = officer.get(f"/decisions/{decision['id']}/party", headers=purpose)
    assert party.status_code == 200 and party.json()["name"] == PARTY["name"]

    similar = wujiang.post("/similar-cases", json={"code": CODE, "factors": {"exceedance_ratio": 0.1}}).json()
    qingpu = next(r for r in similar["regions"] if r["region"] == "qingpu")
    assert qingpu["count"] >= 1 and qingpu["min"] <= 200_000 <= qingpu["max"]


def test_a_bureau_system_records_a_decision_with_a_kafka_command(enforcement_cluster, e2e_prefix, kafka):
    code = "E2E-KAFKA"
    adopted_benchmark(enforcement_cluster, code)
    command_id = str(uuid.uuid4())
    bearer = token(W, Role.AGENCY_SYSTEM, subject="wujiang-enforcement-bureau", agency="wujiang-enforcement-bureau")
    headers = {
        "ce_specversion": "1.0",
        "ce_id": command_id,
        "ce_type": RECORD_DECISION.type,
        "ce_source": "/agency/wujiang-enforcement-bureau",
        "content-type": "application/json",
        "authorization": f"Bearer {bearer}",
    }
    send(kafka, commands(W, E, e2e_prefix), orjson.dumps(decision_body(150_000, code)), **headers)

    def answered() -> list[dict]:
        return [
            orjson.loads(record.value)
            for batch in read_to_end(kafka, [results(W, E, e2e_prefix)])
            for record in batch
            if dict(record.headers).get("ce_causationid", b"").decode() == command_id
        ]

    (answer,) = eventually(answered, timeout=30, interval=0.3, what="the command's result")
    assert (answer["status"], answer["record_status"], answer["problem"]) == (201, "final", None)
    qingpu = enforcement_cluster.client(Q, E, token(Q, Role.ENFORCEMENT_LEGAL))
    seen = eventually(lambda: qingpu.get(f"/decisions/{answer['id']}").json().get("agency"), what="the summary")
    assert seen == "wujiang-enforcement-bureau"
