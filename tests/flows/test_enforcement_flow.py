"""同案同罚 across the three regions (broker-free): a zone benchmark proposed, approved by two regions,
objected to by the third, revised and approved by all, in force from its date, with the earlier version
still answerable for a past day; decisions inside and outside the range (the latter pending until the
legal sign-off); no party data in any event; similar-case figures; and a disparity planted in one region
flagged in that region only."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import orjson
from prometheus_client import REGISTRY

from services.enforcement import catalogue
from shared.contracts.regions import Domain, Region, zone_today
from shared.rules.policy import Role
from tests.e2e.filing_data import id_number
from tests.instances import token

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
CODE = "ENV-WATER-EXCEED"
PARTY_NAME = "嘉兴某某化工有限公司"
PARTY_CODE = "91330421MA2B3C4D5K"


def legal(zone, region: Region):
    return zone.client(region, token=token(region, Role.ENFORCEMENT_LEGAL))


def officer(zone, region: Region):
    return zone.client(region, token=token(region, Role.ENFORCEMENT_OFFICER))


def tiers(ordinary_max: int = 400_000) -> list[dict]:
    return [
        {
            "tier": "serious",
            "criteria": [{"factor": "exceedance_ratio", "op": "at_least", "value": 1.0}],
            "range": {"fine_min_yuan": ordinary_max, "fine_max_yuan": 700_000},
        },
        {"tier": "ordinary", "range": {"fine_min_yuan": 100_000, "fine_max_yuan": ordinary_max}},
    ]


def benchmark(effective_from: date, ordinary_max: int = 400_000, code: str = CODE) -> dict:
    return {
        "code": code,
        "name": "超过水污染物排放标准排放水污染物",
        "legal_basis": "《水污染防治法》第十条",
        "article": "《水污染防治法》第八十三条",
        "tiers": tiers(ordinary_max),
        "effective_from": effective_from.isoformat(),
    }


def vote(zone, region: Region, benchmark_id: str, version: int, how: str = "approve", reasons: str | None = None):
    body = {"version": version, "vote": how, **({"reasons": reasons} if reasons else {})}
    answer = legal(zone, region).post(f"/benchmarks/{benchmark_id}/votes", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def adopt(zone, body: dict, owner: Region = Q) -> dict:
    created = legal(zone, owner).post("/benchmarks", json=body)
    assert created.status_code == 201, created.text
    benchmark_id = created.json()["id"]
    for region in Region:
        vote(zone, region, benchmark_id, 1)
    return legal(zone, owner).get(f"/benchmarks/{benchmark_id}").json()


def decide(zone, region: Region, fine: int, ratio: float = 0.2, when: date | None = None, **more) -> dict:
    body = {
        "code": CODE,
        "violation_date": (when or zone_today()).isoformat(),
        "factors": {"first_offence": True, "exceedance_ratio": ratio, "harm": "minor"},
        "party": {"kind": "organisation", "name": PARTY_NAME, "credit_code": PARTY_CODE},
        "penalty": {"fine_yuan": fine},
        **more,
    }
    answer = officer(zone, region).post("/decisions", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def revision(effective_from: date, ordinary_max: int, reason: str) -> dict:
    body = benchmark(effective_from, ordinary_max)
    del body["code"]  # a benchmark's code is its own: a revision keeps it
    return {**body, "reason": reason}


def in_force(zone, region: Region, on: date, code: str = CODE):
    return legal(zone, region).get(
        "/benchmarks/in-force", params={"code": code, "on": on.isoformat(), "region": region.value}
    )


def test_a_zone_benchmark_takes_effect_once_all_three_approve_and_every_version_is_kept(zone_of):
    zone = zone_of(Domain.ENFORCEMENT)
    today = zone_today()
    earlier = adopt(zone, benchmark(today - timedelta(days=400), ordinary_max=300_000))
    assert earlier["status"] == "adopted"

    proposed = legal(zone, Q).post("/benchmarks", json=benchmark(today - timedelta(days=30)))
    assert proposed.status_code == 201, proposed.text
    benchmark_id = proposed.json()["id"]
    assert (
        officer(zone, J).post(f"/benchmarks/{benchmark_id}/votes", json={"version": 1, "vote": "approve"}).status_code
        == 403
    )
    vote(zone, Q, benchmark_id, 1)
    vote(zone, J, benchmark_id, 1)
    objected = vote(zone, W, benchmark_id, 1, "object", "一般档上限过高，与吴江现行基准差距大")
    assert objected["status"] == "objected"
    late = legal(zone, J).post(f"/benchmarks/{benchmark_id}/votes", json={"version": 1, "vote": "approve"})
    assert late.status_code == 409  # J already voted
    for region in Region:  # the objection (an event of Wujiang's) sent it back everywhere
        seen = legal(zone, region).get(f"/benchmarks/{benchmark_id}").json()
        assert (seen["version"], seen["status"]) == (1, "objected")
        assert [(v["region"], v["vote"]) for v in seen["votes"]] == [
            ("qingpu", "approve"),
            ("jiashan", "approve"),
            ("wujiang", "object"),
        ]
    assert (
        legal(zone, J).post(f"/benchmarks/{benchmark_id}/revisions", json=revision(today, 350_000, "r")).status_code
        == 403
    )

    revised = revision(today - timedelta(days=30), 350_000, "采纳吴江意见，一般档上限调整为35万元")
    answer = legal(zone, Q).post(f"/benchmarks/{benchmark_id}/revisions", json=revised)
    assert answer.status_code == 201, answer.text
    assert (answer.json()["version"], answer.json()["status"]) == (2, "proposed")
    for region in (Q, J):
        vote(zone, region, benchmark_id, 2)
    assert legal(zone, W).get(f"/benchmarks/{benchmark_id}").json()["status"] == "proposed"  # two of three
    assert vote(zone, W, benchmark_id, 2)["status"] == "proposed"  # Wujiang's answer: its vote, not yet counted
    adopted = legal(zone, W).get(f"/benchmarks/{benchmark_id}").json()  # the owner counted it meanwhile
    for region in Region:
        seen = legal(zone, region).get(f"/benchmarks/{benchmark_id}").json()
        assert (seen["version"], seen["status"]) == (2, "adopted")
        assert [(v["version"], v["status"]) for v in seen["versions"]] == [(1, "objected"), (2, "adopted")]
    assert adopted["timeline"][-1]["type"] == "benchmark-adopted" and adopted["timeline"][-1]["region"] == "qingpu"

    now_in_force = in_force(zone, J, today).json()
    assert (now_in_force["benchmark_id"], now_in_force["version"]) == (benchmark_id, 2)
    assert now_in_force["tiers"][1]["range"]["fine_max_yuan"] == 350_000
    past = in_force(zone, W, today - timedelta(days=60)).json()  # before the new one's date: the earlier one
    assert (past["benchmark_id"], past["tiers"][1]["range"]["fine_max_yuan"]) == (earlier["id"], 300_000)
    assert in_force(zone, W, today - timedelta(days=500)).status_code == 404

    variant = {
        **benchmark(today - timedelta(days=10), ordinary_max=380_000),
        "scope": "local",
        "reason": "太浦河饮用水源保护区从严",
    }
    assert legal(zone, W).post("/benchmarks", json={**variant, "reason": None}).status_code == 422  # no reason
    local = legal(zone, W).post("/benchmarks", json=variant).json()
    assert local["status"] == "adopted"
    assert in_force(zone, W, today).json()["benchmark_id"] == local["id"]  # Wujiang's own variant there
    assert in_force(zone, J, today).json()["benchmark_id"] == benchmark_id  # the zone's elsewhere
    seen = legal(zone, J).get(f"/benchmarks/{local['id']}").json()
    assert seen["versions"][0]["reason"] == "太浦河饮用水源保护区从严"  # the others see why


def test_decisions_are_measured_against_the_benchmark_and_carry_no_party(zone_of):
    zone = zone_of(Domain.ENFORCEMENT)
    today = zone_today()
    adopted = adopt(zone, benchmark(today - timedelta(days=30)))

    inside = decide(zone, J, 200_000)
    assert (inside["tier"], inside["within_range"], inside["status"]) == ("ordinary", True, "final")
    assert (inside["benchmark_id"], inside["benchmark_version"]) == (adopted["id"], 1)
    assert (inside["fine_min_yuan"], inside["fine_max_yuan"]) == (100_000, 400_000)
    serious = decide(zone, J, 500_000, ratio=1.5)
    assert (serious["tier"], serious["status"]) == ("serious", "final")

    body = {
        "code": CODE,
        "violation_date": today.isoformat(),
        "factors": {"exceedance_ratio": 0.2},
        "party": {"kind": "organisation", "name": PARTY_NAME, "credit_code": PARTY_CODE},
        "penalty": {"fine_yuan": 50_000},
    }
    refused = officer(zone, J).post("/decisions", json=body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "outside_reason"
    early = officer(zone, J).post(
        "/decisions", json={**body, "violation_date": "2020-01-01", "penalty": {"fine_yuan": 200_000}}
    )
    assert early.status_code == 422  # no benchmark in force then
    outside = decide(zone, J, 50_000, outside_reason="当事人主动消除危害后果，依法减轻处罚")
    assert (outside["within_range"], outside["status"], outside["outside_reason"]) == (
        False,
        "pending_review",
        "当事人主动消除危害后果，依法减轻处罚",
    )
    assert officer(zone, Q).get(f"/decisions/{outside['id']}").json()["outside_reason"] is None  # held in Jiashan

    sign_off = {"outcome": "approved", "note": "减轻处罚理由成立"}
    assert officer(zone, J).post(f"/decisions/{outside['id']}/sign-off", json=sign_off).status_code == 403
    assert legal(zone, Q).post(f"/decisions/{outside['id']}/sign-off", json=sign_off).status_code == 403
    signed = legal(zone, J).post(f"/decisions/{outside['id']}/sign-off", json=sign_off)
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "final"
    assert officer(zone, W).get(f"/decisions/{outside['id']}").json()["status"] == "final"
    again = legal(zone, J).post(f"/decisions/{outside['id']}/sign-off", json=sign_off)
    assert again.status_code == 409

    party = zone.client(J, token=token(J, Role.ENFORCEMENT_OFFICER), **{"x-purpose": "law-enforcement"})
    held = party.get(f"/decisions/{inside['id']}/party")
    assert held.status_code == 200, held.text
    assert (held.json()["name"], held.json()["number"]) == (PARTY_NAME, PARTY_CODE)
    elsewhere = zone.client(Q, token=token(Q, Role.ENFORCEMENT_OFFICER), **{"x-purpose": "law-enforcement"})
    assert elsewhere.get(f"/decisions/{inside['id']}/party").status_code == 403

    person = id_number(address="330421", seq="517")
    decide(zone, W, 150_000, party={"kind": "person", "name": "沈某某", "id_number": person})
    events = [d for d in zone.log if d.topic.endswith(".enforcement")]
    assert {d.event().type.name for d in events} >= {"decision-recorded", "decision-signed-off", "benchmark-adopted"}
    for delivery in events:  # no party detail in any event on any region's topic
        text = (
            delivery.value.decode()
            + orjson.dumps([(k, v.decode(errors="replace")) for k, v in delivery.headers]).decode()
        )
        for secret in (PARTY_NAME, PARTY_CODE, "沈某某", person):
            assert secret not in text, (delivery.topic, delivery.event().type.name)


def test_similar_cases_and_a_disparity_planted_in_one_region(zone_of):
    zone = zone_of(Domain.ENFORCEMENT)
    adopt(zone, benchmark(zone_today() - timedelta(days=30)))
    fines = {J: [150_000, 200_000, 250_000], Q: [180_000, 200_000, 220_000, 240_000], W: [380_000, 390_000, 400_000]}
    for region, amounts in fines.items():
        for amount in amounts:
            decide(zone, region, amount)
    decide(zone, W, 450_000, ratio=1.2)  # another tier: not among the ordinary ones

    asked = officer(zone, Q).post("/similar-cases", json={"code": CODE, "factors": {"exceedance_ratio": 0.4}})
    assert asked.status_code == 200, asked.text
    answer = asked.json()
    assert (answer["tier"], answer["fine_min_yuan"], answer["fine_max_yuan"]) == ("ordinary", 100_000, 400_000)
    by_region = {r["region"]: r for r in answer["regions"]}
    for region, amounts in fines.items():
        figures = by_region[region.value]
        assert (figures["count"], figures["min"], figures["max"]) == (len(amounts), min(amounts), max(amounts))
        assert figures["median"] == statistics.median(amounts)
        assert figures["p10"] <= figures["median"] <= figures["p90"]

    month = zone_today().strftime("%Y-%m")
    report = officer(zone, J).get("/consistency", params={"month": month}).json()
    (ordinary,) = [i for i in report["items"] if i["tier"] == "ordinary"]
    assert ordinary["flagged"] and ordinary["disparity_index"] == 390_000 / 200_000
    flagged = {r["region"]: r["flagged"] for r in ordinary["regions"]}
    assert flagged == {"jiashan": [], "qingpu": [], "wujiang": ["disparity"]}

    for refresh in zone.runtime(Q).gauges:  # what a scrape of Qingpu's /metrics does
        refresh()
    labels = {"region": "qingpu", "code": CODE, "tier": "ordinary"}
    assert REGISTRY.get_sample_value("yrd_enforcement_disparity_index", labels) == 390_000 / 200_000
    inconsistent = {
        region.value: REGISTRY.get_sample_value(
            "yrd_enforcement_inconsistent", {**labels, "decided_region": region.value, "why": "disparity"}
        )
        for region in Region
    }
    assert inconsistent == {"jiashan": None, "qingpu": None, "wujiang": 1.0}


def test_the_starting_catalogue_is_in_force_once_each_region_seeds(zone_of, monkeypatch):
    from typer.testing import CliRunner

    from tests.flows.test_cli_reports import point_the_cli_at
    from yrd import cli

    zone = zone_of(Domain.ENFORCEMENT)
    point_the_cli_at(zone, monkeypatch)
    loaded = catalogue.load()
    assert len(loaded.violations) >= 6
    for region in (Q, J, W):  # each region's own act, in turn, the events flowing between (its relay's part)
        ran = CliRunner().invoke(cli.app, ["enforcement", "seed", "--region", region.value])
        assert ran.exit_code == 0, ran.output
        done = orjson.loads(ran.stdout)
        assert done["approved"] == [v.code for v in loaded.violations]
        assert done["proposed"] == (done["approved"] if region is Q else [])
        zone.settle()
    for violation in loaded.violations:
        found = in_force(zone, J, loaded.effective_from, violation.code)
        assert found.status_code == 200, (violation.code, found.text)
        assert found.json()["owner_region"] == "qingpu"


def test_the_monthly_report_writes_a_csv_and_a_chart_that_flag_the_planted_region(zone_of, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from tests.flows.test_cli_reports import point_the_cli_at
    from yrd import cli

    zone = zone_of(Domain.ENFORCEMENT)
    adopt(zone, benchmark(zone_today() - timedelta(days=30)))
    for region, amounts in {J: [200_000] * 3, Q: [210_000] * 3, W: [100_000, 100_000, 105_000]}.items():
        for amount in amounts:
            decide(zone, region, amount)
    point_the_cli_at(zone, monkeypatch)
    month = zone_today().strftime("%Y-%m")
    ran = CliRunner().invoke(
        cli.app, ["enforcement", "report", "--month", month, "--region", "jiashan", "--out", str(tmp_path)]
    )
    assert ran.exit_code == 0, ran.output
    assert orjson.loads(ran.stdout)["flagged"] == [f"{CODE}/ordinary"]
    rows = (tmp_path / f"enforcement-{month}.csv").read_text().splitlines()
    flagged = {line.split(",")[3]: line.split(",")[-1] for line in rows[1:]}
    assert flagged == {"jiashan": "", "qingpu": "", "wujiang": "disparity"}
    assert (tmp_path / f"enforcement-{month}.svg").read_text().startswith("<svg")
    bad = CliRunner().invoke(cli.app, ["enforcement", "report", "--month", "2026-13"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
