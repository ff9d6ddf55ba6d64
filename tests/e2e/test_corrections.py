"""Community corrections over HTTP against three running instances and the real broker: travel, transfer,
lookup, violations, and no personal data anywhere it must not be."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from kafka import KafkaConsumer, TopicPartition

from shared.contracts.regions import Domain, Region, zone_today
from shared.contracts.topics import dlq, topic
from shared.rules.policy import Role
from tests.e2e.filing_data import id_number
from tests.helpers import eventually
from tests.instances import token

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
C = Domain.CORRECTIONS
PEOPLE: list[tuple[str, str]] = []  # (name, ID number) of everyone enrolled here, for the leak scan


def officer(cluster, region, purpose: str | None = None):
    headers = {"x-purpose": purpose} if purpose else {}
    return cluster.client(region, C, token(region, Role.CORRECTIONS_OFFICER), **headers)


def enrol(cluster, region, name, born="19850315", seq="123", address="330421"):
    number = id_number(address=address, born=born, seq=seq)
    PEOPLE.append((name, number))
    body = {
        "id_number": number,
        "name": name,
        "gender": "male" if int(seq[-1]) % 2 else "female",
        "birth_date": f"{born[:4]}-{born[4:6]}-{born[6:]}",
        "correction_type": "probation",
        "sentence_summary": "因危险驾驶罪判处拘役三个月，缓刑六个月",
        "judgment_effective_date": zone_today().isoformat(),
        "start_date": zone_today().isoformat(),
        "end_date": (zone_today() + timedelta(days=180)).isoformat(),
        "supervising_office": "司法所",
        "risk_level": "medium",
        "prohibitions": ["禁止进入酒吧、夜总会"],
        "residence_address": "某镇某路88号",
    }
    response = officer(cluster, region).post("/subjects", json=body)
    assert response.status_code == 201, response.text
    subject = response.json()
    assert officer(cluster, region).post(f"/subjects/{subject['id']}/report-in").status_code == 200
    return subject, number


def seen_in(cluster, region, subject_id, check=lambda s: True):
    def probe():
        response = officer(cluster, region).get(f"/subjects/{subject_id}")
        return response.json() if response.status_code == 200 and check(response.json()) else None

    return eventually(probe, what=f"subject in {region.value}")


def test_a_jiashan_subject_travels_to_qingpu(corrections_cluster):
    subject, number = enrol(corrections_cluster, J, "张三丰")
    assert subject["name_masked"] == "张**" and subject["id_masked"] == number[:6] + "********" + number[-4:]
    sid = subject["id"]
    seen_in(corrections_cluster, Q, sid)

    before = officer(corrections_cluster, Q, "supervision").get(f"/subjects/{sid}/detail")
    assert before.status_code == 403  # no travel yet: qingpu has no part in this record

    trip = officer(corrections_cluster, J).post(
        f"/subjects/{sid}/travels",
        json={
            "destination": "qingpu",
            "from_date": zone_today().isoformat(),
            "to_date": (zone_today() + timedelta(days=3)).isoformat(),
            "reason": "探望亲属",
        },
    )
    assert trip.status_code == 201, trip.text
    travel_id = trip.json()["id"]
    seen_in(corrections_cluster, Q, sid, lambda s: s["status"] == "travelling")
    assert officer(corrections_cluster, Q).post(f"/travels/{travel_id}/check-in").status_code == 200
    assert officer(corrections_cluster, W).post(f"/travels/{travel_id}/check-in").status_code == 403

    during = officer(corrections_cluster, Q, "supervision").get(f"/subjects/{sid}/detail")
    assert during.status_code == 200, during.text
    assert during.json()["id_number"] == number and during.json()["residence_address"] == "某镇某路88号"
    assert officer(corrections_cluster, Q).get(f"/subjects/{sid}/detail").status_code == 403  # no purpose
    assert officer(corrections_cluster, W, "supervision").get(f"/subjects/{sid}/detail").status_code == 403

    seen_in(corrections_cluster, J, sid, lambda s: s["travels"][0]["status"] == "checked_in")
    assert officer(corrections_cluster, J).post(f"/travels/{travel_id}/return").status_code == 200
    seen_in(corrections_cluster, Q, sid, lambda s: s["status"] == "under_supervision")
    after = officer(corrections_cluster, Q, "supervision").get(f"/subjects/{sid}/detail")
    assert after.status_code == 403

    def detail_reads(region):  # each instance audits what it decided: the holder the relayed reads it served
        supervisor = corrections_cluster.client(
            region, C, token(region, Role.SUPERVISOR), **{"x-purpose": "audit-review"}
        )
        entries = supervisor.get("/audit", params={"record": sid}).json()["items"]
        return {(e["region"], e["decision"]) for e in entries if e["action"] == "corrections.read_detail"}

    assert ("qingpu", "allowed") in detail_reads(J)
    assert ("qingpu", "denied") in detail_reads(Q)  # refused at qingpu's own instance, before and after the trip


def test_a_wujiang_subject_transfers_to_jiashan_and_misses_the_report_in(corrections_cluster):
    subject, number = enrol(corrections_cluster, W, "李四光", born="19900707", seq="246", address="320509")
    sid = subject["id"]
    asked = officer(corrections_cluster, W).post(
        f"/subjects/{sid}/transfers", json={"destination": "jiashan", "reason": "经常居住地变更"}
    )
    assert asked.status_code == 201, asked.text
    transfer_id = asked.json()["id"]
    seen_in(corrections_cluster, J, sid, lambda s: s["status"] == "transfer_pending")

    office = {"supervising_office": "嘉善县魏塘司法所"}
    without_purpose = officer(corrections_cluster, J).post(f"/transfers/{transfer_id}/accept", json=office)
    assert without_purpose.status_code == 403
    accepted = officer(corrections_cluster, J, "transfer-handover").post(
        f"/transfers/{transfer_id}/accept", json=office
    )
    assert accepted.status_code == 200, accepted.text

    for region in (J, Q, W):
        seen_in(corrections_cluster, region, sid, lambda s: s["home_region"] == "jiashan" and s["status"] == "enrolled")
    detail = officer(corrections_cluster, J, "supervision").get(f"/subjects/{sid}/detail")
    assert detail.status_code == 200 and detail.json()["id_number"] == number
    assert detail.json()["supervising_office"] == "嘉善县魏塘司法所"  # supervised by the receiving region now
    assert officer(corrections_cluster, W, "supervision").get(f"/subjects/{sid}/detail").status_code == 403
    assert officer(corrections_cluster, W).post(f"/subjects/{sid}/report-in").status_code == 403  # no longer owner

    flagged = [seen_in(corrections_cluster, r, sid, lambda s: s["overdue_flagged"]) for r in (J, Q, W)]
    for view in flagged:
        assert [e["type"] for e in view["timeline"]].count("report-in-overdue") == 1
    assert officer(corrections_cluster, J).post(f"/subjects/{sid}/report-in").status_code == 200


def test_lookup_by_id_number_hits_in_all_three_regions(corrections_cluster):
    subject, number = enrol(corrections_cluster, Q, "王小二", born="19780101", seq="357", address="310118")
    for region in (J, Q, W):
        seen_in(corrections_cluster, region, subject["id"])
        hit = officer(corrections_cluster, region, "supervision").post("/subjects/lookup", json={"id_number": number})
        assert hit.json() == {"hit": True, "subject_id": subject["id"], "home_region": "qingpu"}
    stranger = id_number(born="20000101", seq="999")
    miss = officer(corrections_cluster, J, "law-enforcement").post("/subjects/lookup", json={"id_number": stranger})
    assert miss.json() == {"hit": False}
    assert officer(corrections_cluster, J).post("/subjects/lookup", json={"id_number": number}).status_code == 403


def test_a_violation_reported_elsewhere_reaches_the_home_region(corrections_cluster):
    subject, _ = enrol(corrections_cluster, J, "赵大力", born="19950505", seq="111")
    sid = subject["id"]
    seen_in(corrections_cluster, Q, sid)
    reported = corrections_cluster.client(Q, C, token(Q, Role.POLICE_OFFICER)).post(
        f"/subjects/{sid}/violations",
        json={
            "kind": "prohibited_place",
            "occurred_at": datetime.now(UTC).isoformat(),
            "place": "青浦区某酒吧",
            "details": "23:40 在酒吧内饮酒",
        },
    )
    assert reported.status_code == 201, reported.text
    home = seen_in(corrections_cluster, J, sid, lambda s: s["violations"])
    assert home["violations"][0]["details"] == "23:40 在酒吧内饮酒" and home["violations"][0]["region"] == "qingpu"
    elsewhere = seen_in(corrections_cluster, W, sid, lambda s: s["violations"])
    assert "details" not in elsewhere["violations"][0]


def test_enrolment_rejects_inconsistent_identity(corrections_cluster):
    number = id_number(born="19850315", seq="123")
    response = officer(corrections_cluster, J).post(
        "/subjects",
        json={
            "id_number": number,
            "name": "钱某",
            "gender": "female",
            "birth_date": "1985-03-15",
            "correction_type": "parole",
            "sentence_summary": "s",
            "judgment_effective_date": zone_today().isoformat(),
            "start_date": zone_today().isoformat(),
            "end_date": (zone_today() + timedelta(days=9)).isoformat(),
            "supervising_office": "o",
            "risk_level": "low",
            "residence_address": "a",
        },
    )
    assert response.status_code == 422
    assert "gender does not match" in response.json()["detail"]
    assert number not in response.text


def test_the_subject_list_filters_and_never_shows_the_keyed_hash(corrections_cluster):
    subject, _ = enrol(corrections_cluster, W, "冯某", born="19820802", seq="864", address="320509")
    listed = eventually(
        lambda: [
            s
            for s in officer(corrections_cluster, J)
            .get("/subjects", params={"home_region": "wujiang", "status": "reported_in", "limit": 100})
            .json()["items"]
            if s["id"] == subject["id"]
        ],
        what="the subject in jiashan's list",
    )
    assert listed[0]["name_masked"] == "冯*" and "id_hash" not in listed[0]
    others = officer(corrections_cluster, J).get("/subjects", params={"home_region": "qingpu", "limit": 100}).json()
    assert all(s["home_region"] == "qingpu" for s in others["items"])


def test_no_full_id_number_or_name_in_topics_logs_or_metrics(corrections_cluster, e2e_prefix, kafka):
    assert PEOPLE, "runs after the scenarios above have enrolled people"
    topics = [
        t
        for domain in (Domain.CORRECTIONS, Domain.AUDIT)
        for r in Region
        for t in (topic(r, domain, e2e_prefix), dlq(topic(r, domain, e2e_prefix)))
    ]
    consumer = KafkaConsumer(**kafka.config(), enable_auto_commit=False)
    partitions = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or []]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    ends = consumer.end_offsets(partitions)
    wire = bytearray()
    while any(consumer.position(tp) < ends[tp] for tp in partitions):
        for batch in consumer.poll(timeout_ms=500).values():
            for record in batch:
                wire += (record.key or b"") + (record.value or b"")
                for name, value in record.headers or []:
                    wire += name.encode() + value
    consumer.close()
    text = wire.decode("utf-8", errors="replace")
    assert "cn.yrd.corrections.enrolled.v1" in text  # the scan did read the events
    logs = "".join(p.read_text(errors="replace") for p in corrections_cluster.data_dir.glob("*.log"))
    metrics = "".join(
        httpx.get(
            corrections_cluster.url(r, C) + "/metrics", headers={"authorization": f"Bearer {token(r, Role.OPERATOR)}"}
        ).text
        for r in Region
    )
    assert "yrd_corrections_subjects" in metrics
    for name, number in PEOPLE:
        for where, content in (("topics", text), ("logs", logs), ("metrics", metrics)):
            assert number not in content, f"a full ID number in {where}"
            assert name not in content, f"a full name in {where}"
