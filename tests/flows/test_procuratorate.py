"""The procuratorates' channel across regions (broker-free): referrals accepted and declined, assistance
assigned, answered and overdue once, a joint case with three contributors and the lead's decisions,
materials fetched from their holder with a purpose (and refused otherwise), and the receipt chain of each
delivery exported and verified offline."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from services.procuratorate import evidence
from services.procuratorate import store as db
from services.procuratorate.domain import parse_case_number
from shared.adapters.signing import EventTrust
from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.backends import table_names
from tests.instances import KEYS, token

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
SECRET_TEXT = b"witness statement: the discharge pipe at km 12 of the Taipu River"


def prosecutor(zone, region: Region, subject: str | None = None, **headers: str):
    return zone.client(region, token=token(region, Role.PROSECUTOR, subject=subject), **headers)


def chief(zone, region: Region):
    return zone.client(region, token=token(region, Role.PROSECUTION_CHIEF))


def ok(answer, status: int = 200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def refer(zone, to: Region = W) -> dict:
    body = {"to_region": to.value, "title": "太浦河排污线索", "summary": "企业夜间偷排", "offence": "public_interest"}
    return ok(prosecutor(zone, Q).post("/referrals", json=body), 202)


def register(zone, region: Region, record_id: str, classification: str = "secret", content: bytes = SECRET_TEXT):
    body = {
        "record_id": record_id,
        "name": "询问笔录.pdf",
        "content_type": "application/pdf",
        "classification": classification,
        "content_base64": base64.b64encode(content).decode(),
    }
    return ok(prosecutor(zone, region).post("/materials", json=body), 201)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def shown(view: dict) -> dict[str, tuple[str, str | None]]:
    """A record view's texts: by part, the holder and the text as shown to this reader (None: not shown)."""
    assert all(t["text"] is None or sha(t["text"]) == t["sha256"] for t in view["texts"])
    return {t["part"]: (t["holder_region"], t["text"]) for t in view["texts"]}


def gauges(zone) -> dict[tuple[str, str], float]:
    """What a scrape of Qingpu's instance shows as overdue and missing, by what and the region that must act."""
    for refresh in zone.runtime(Q).gauges:
        refresh()
    shown = {}
    for metric in REGISTRY.collect():
        for sample in metric.samples:
            if sample.name == "yrd_procuratorate_overdue" and sample.labels["region"] == "qingpu":
                shown[sample.labels["kind"], sample.labels["counterpart"]] = sample.value
            if sample.name == "yrd_procuratorate_receipts_missing" and sample.labels["region"] == "qingpu":
                shown[sample.labels["missing"], sample.labels["recipient"]] = sample.value
    return shown


def past_due(zone, region: Region, table: str, record_id: str) -> None:
    """Time passes for one record at its sender: its deadline is now behind it."""
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    zone.runtime(region).store.write(
        lambda conn: conn.execute(f"UPDATE {table} SET due_at = ? WHERE id = ?", (past, record_id))
    )


@pytest.fixture
def zone(zone_of):
    return zone_of(Domain.PROCURATORATE)


def test_a_referral_accepted_opens_a_case_number_and_another_declined_returns_with_reasons(zone):
    first, second = refer(zone), refer(zone)
    # Only the receiving region's chief decides: a prosecutor, or the referring office, is refused.
    assert (
        prosecutor(zone, W).post(f"/referrals/{first['id']}/decision", json={"outcome": "accepted"}).status_code == 403
    )
    assert chief(zone, Q).post(f"/referrals/{first['id']}/decision", json={"outcome": "accepted"}).status_code == 403
    accepted = ok(chief(zone, W).post(f"/referrals/{first['id']}/decision", json={"outcome": "accepted"}))
    year = datetime.now(UTC).astimezone().year
    assert accepted["case_number"] in (f"吴检受〔{year}〕1号", f"吴检受〔{year + 1}〕1号")
    declined = chief(zone, W).post(f"/referrals/{second['id']}/decision", json={"outcome": "declined"})
    assert declined.status_code == 422  # a decline states its reasons
    body = {"outcome": "declined", "reasons": "行为地与结果地均不在本区"}
    ok(chief(zone, W).post(f"/referrals/{second['id']}/decision", json=body))

    # The referring office follows each one's fate.
    seen = {r["id"]: r for r in ok(prosecutor(zone, Q).get("/referrals", params={"from_region": "qingpu"}))["items"]}
    assert seen[first["id"]]["status"] == "accepted" and seen[first["id"]]["case_number"] == accepted["case_number"]
    assert seen[second["id"]]["status"] == "declined" and seen[second["id"]]["reasons_sha256"] == sha(body["reasons"])
    # The reasons are Wujiang's: the referring office reads them from there, with a purpose.
    returned = ok(prosecutor(zone, Q, **{"x-purpose": "prosecution"}).get(f"/referrals/{second['id']}"))
    assert shown(returned)["reasons"] == ("wujiang", body["reasons"])
    assert shown(ok(prosecutor(zone, Q).get(f"/referrals/{second['id']}")))["reasons"] == ("wujiang", None)
    assert chief(zone, W).post(f"/referrals/{second['id']}/decision", json=body).status_code == 409
    # Jiashan is party to neither.
    assert prosecutor(zone, J).get(f"/referrals/{first['id']}").status_code == 403


def test_assistance_is_assigned_answered_and_an_unanswered_one_is_flagged_overdue_once(zone):
    due = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    body = {"asked_region": "jiashan", "kind": "statement", "subject": "询问证人王某", "due_at": due}
    request = ok(prosecutor(zone, Q).post("/assistance-requests", json=body), 202)
    path = f"/assistance-requests/{request['id']}"
    assert prosecutor(zone, J).post(f"{path}/assignment", json={"assignee": "j-p1"}).status_code == 403
    ok(chief(zone, J).post(f"{path}/assignment", json={"assignee": "j-p1"}))
    # Another prosecutor of the asked office is refused, and the refusal is audited like any other.
    assert prosecutor(zone, J, "j-p2").post(f"{path}/answer", json={"results": "x"}).status_code == 403
    refusals = zone.rows(
        J, "SELECT actor, decision, record FROM audit_index WHERE action = 'procuratorate.answer_assistance'"
    )
    assert {"actor": "j-p2", "decision": "denied", "record": request["id"]} in refusals
    material = register(zone, J, request["id"], classification="confidential")
    answer = {"results": "已询问，证人确认", "material_ids": [material["id"]]}
    ok(prosecutor(zone, J, "j-p1").post(f"{path}/answer", json=answer))
    # Progress visible to both sides.
    for region in (Q, J):
        seen = ok(prosecutor(zone, region, **{"x-purpose": "prosecution"}).get(path))
        assert seen["status"] == "answered" and seen["assignee"] == "j-p1"
        assert seen["material_ids"] == [material["id"]]
        assert shown(seen) == {"subject": ("qingpu", body["subject"]), "results": ("jiashan", answer["results"])}

    late = ok(prosecutor(zone, Q).post("/assistance-requests", json=body), 202)
    past_due(zone, Q, "assistance", late["id"])
    zone.scan()
    zone.scan()
    flagged = ok(prosecutor(zone, J).get(f"/assistance-requests/{late['id']}"))
    assert flagged["overdue_flagged"] is True
    overdue = [t for t in flagged["timeline"] if t["type"] == "assistance-overdue"]
    assert len(overdue) == 1  # once, however often the scanner runs
    assert ok(prosecutor(zone, Q).get(path))["overdue_flagged"] is False


def test_a_joint_case_has_three_contributors_and_the_lead_decides_its_steps(zone):
    body = {
        "title": "太浦河跨界污染公益诉讼",
        "matter": "上游企业排污致下游水质超标",
        "participants": ["jiashan", "qingpu"],
    }
    case = ok(prosecutor(zone, W).post("/joint-cases", json=body), 201)
    path = f"/joint-cases/{case['id']}"
    for region in (W, J, Q):
        material = register(zone, region, case["id"], classification="internal", content=f"{region} 水样".encode())
        finding = {"summary": f"{region.value} 断面监测超标", "material_ids": [material["id"]]}
        ok(prosecutor(zone, region).post(f"{path}/findings", json=finding), 201)
    # Only the lead's chief decides a step; a participant's chief is refused.
    step = {"step": "pre_litigation_notice", "note": "发出诉前检察建议"}
    assert chief(zone, Q).post(f"{path}/steps", json=step).status_code == 403
    ok(chief(zone, W).post(f"{path}/steps", json=step))
    ok(chief(zone, W).post(f"{path}/steps", json={"step": "suit_filed", "note": "向法院提起公益诉讼"}))
    for region in (J, Q, W):  # one timeline, seen alike in every region
        seen = ok(prosecutor(zone, region, **{"x-purpose": "prosecution"}).get(path))
        assert sorted(f["region"] for f in seen["findings"]) == ["jiashan", "qingpu", "wujiang"]
        assert seen["step"] == "suit_filed"
        texts = shown(seen)  # each finding's summary from its contributor, the notes from the lead
        assert sorted(texts[f"finding:{f['id']}"] for f in seen["findings"]) == [
            (r.value, f"{r.value} 断面监测超标") for r in (J, Q, W)
        ]
        assert [texts[f"step:{s['id']}"] for s in seen["steps"]] == [
            ("wujiang", "发出诉前检察建议"),
            ("wujiang", "向法院提起公益诉讼"),
        ]
        steps = [t["detail"]["step"] for t in seen["timeline"] if t["type"] == "step-decided"]
        assert steps == ["pre_litigation_notice", "suit_filed"]
    assert (
        ok(prosecutor(zone, J).get("/joint-cases", params={"lead_region": "wujiang"}))["items"][0]["id"] == case["id"]
    )


def test_a_material_is_fetched_from_its_holder_with_a_purpose_and_refused_otherwise(zone):
    referral = refer(zone)
    material = register(zone, Q, referral["id"])
    path = f"/materials/{material['id']}/content"
    # Wujiang's prosecutor, through Wujiang's instance, fetched point to point from Qingpu (the holder).
    fetched = ok(prosecutor(zone, W, "w-p1", **{"x-purpose": "prosecution"}).get(path))
    assert base64.b64decode(fetched["content_base64"]) == SECRET_TEXT
    assert fetched["sha256"] == hashlib.sha256(SECRET_TEXT).hexdigest() == material["sha256"]
    assert prosecutor(zone, W).get(path).status_code == 403  # no purpose
    assert prosecutor(zone, W, **{"x-purpose": "supervision"}).get(path).status_code == 403  # another purpose
    other_role = zone.client(W, token=token(W, Role.NOTARY), **{"x-purpose": "prosecution"})
    assert other_role.get(path).status_code == 403
    # Another region's relay: a Wujiang token through Jiashan's instance is not relayed.
    relayed = zone.client(J, token=token(W, Role.PROSECUTOR), **{"x-purpose": "prosecution"}).get(path)
    assert relayed.status_code == 403
    # Jiashan is no party to the referral: refused at the holder too.
    assert prosecutor(zone, J, **{"x-purpose": "prosecution"}).get(path).status_code == 403
    # The holder audited the read it allowed, naming the reader.
    audit = (
        zone.runtime(Q)
        .store.connect()
        .execute("SELECT actor, decision FROM audit_index WHERE action = 'procuratorate.read_material'")
    )
    assert ("w-p1", "allowed") in [tuple(r) for r in audit]
    # The highest classification is described on the topic by its hash and holder alone, and no topic
    # holds any material's content.
    described = next(d.event().data for d in zone.log if d.event().type.name == "material-registered")
    assert (described.name, described.size, described.content_type) == (None, None, None)
    assert all(SECRET_TEXT not in d.value and base64.b64encode(SECRET_TEXT) not in d.value for d in zone.log)
    assert ok(prosecutor(zone, W).get(f"/materials/{material['id']}"))["name"] is None


def test_no_topic_and_no_uninvolved_region_holds_any_text_and_the_parties_read_them_from_their_holder(zone):
    marks = {part: f"MARK-{part}-{uuid.uuid4().hex}" for part in ("title", "summary", "reasons", "subject", "results")}
    marks |= {"finding": f"MARK-finding-{uuid.uuid4().hex}", "note": f"MARK-note-{uuid.uuid4().hex}"}
    # Qingpu and Wujiang only: Jiashan is party to none of these.
    body = {"to_region": "wujiang", "title": marks["title"], "summary": marks["summary"], "offence": "criminal"}
    referral = ok(prosecutor(zone, Q).post("/referrals", json=body), 202)["id"]
    decline = {"outcome": "declined", "reasons": marks["reasons"]}
    ok(chief(zone, W).post(f"/referrals/{referral}/decision", json=decline))
    due = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    ask = {"asked_region": "wujiang", "kind": "verification", "subject": marks["subject"], "due_at": due}
    request = ok(prosecutor(zone, Q).post("/assistance-requests", json=ask), 202)["id"]
    ok(chief(zone, W).post(f"/assistance-requests/{request}/assignment", json={"assignee": "w-p1"}))
    ok(prosecutor(zone, W, "w-p1").post(f"/assistance-requests/{request}/answer", json={"results": marks["results"]}))
    case = {"title": "太浦河", "matter": "跨界污染", "participants": ["qingpu"]}
    case_id = ok(prosecutor(zone, W).post("/joint-cases", json=case), 201)["id"]
    ok(prosecutor(zone, Q).post(f"/joint-cases/{case_id}/findings", json={"summary": marks["finding"]}), 201)
    ok(chief(zone, W).post(f"/joint-cases/{case_id}/steps", json={"step": "settlement", "note": marks["note"]}))

    # No event on any topic carries a text: only its hash.
    assert any(referral.encode() in d.value for d in zone.log)  # the log searched is the one they went to
    assert not [(d.topic, m) for d in zone.log for m in marks.values() if m.encode() in d.value]
    published = {d.event().type.name: d.event().data for d in zone.log}
    assert published["referral-sent"].title_sha256 == sha(marks["title"])
    assert published["step-decided"].note_sha256 == sha(marks["note"])

    # Jiashan's store holds none of them, in any table; each text is held by the region that wrote it.
    def stored(region: Region) -> str:
        tables = table_names(zone.runtime(region).store)
        return json.dumps([zone.rows(region, f'SELECT * FROM "{t}"') for t in tables], default=str, ensure_ascii=False)

    assert not [m for m in marks.values() if m in stored(J)]
    assert {k for k, m in marks.items() if m in stored(Q)} == {"title", "summary", "subject", "finding"}
    assert {k for k, m in marks.items() if m in stored(W)} == {"reasons", "results", "note"}

    # The parties read them point to point with the purpose; Jiashan is refused at every holder.
    reader = prosecutor(zone, W, "w-p1", **{"x-purpose": "prosecution"})
    assert shown(ok(reader.get(f"/referrals/{referral}")))["summary"] == ("qingpu", marks["summary"])
    case_texts = sorted(shown(ok(reader.get(f"/joint-cases/{case_id}"))).values())
    assert case_texts == [("qingpu", marks["finding"]), ("wujiang", marks["note"])]
    for path in (f"/texts/{referral}/qingpu", f"/texts/{referral}/wujiang", f"/texts/{case_id}/wujiang"):
        assert prosecutor(zone, J, **{"x-purpose": "prosecution"}).get(path).status_code == 403
    assert prosecutor(zone, W).get(f"/texts/{referral}/qingpu").status_code == 403  # no purpose
    # The holder audited the read it allowed, naming the reader.
    reads = zone.rows(Q, "SELECT actor, decision, record FROM audit_index WHERE action = 'procuratorate.read_text'")
    assert {"actor": "w-p1", "decision": "allowed", "record": referral} in reads


def exported(zone, record_id: str) -> dict:
    return ok(prosecutor(zone, Q).get(f"/evidence/{record_id}"))


def test_a_complete_receipt_chain_is_exported_and_verified_and_a_tampered_one_is_rejected(zone):
    referral = refer(zone)
    material = register(zone, Q, referral["id"])
    ok(prosecutor(zone, W, "w-p1").get(f"/referrals/{referral['id']}"))  # delivered and retrieved
    ok(prosecutor(zone, W, "w-p1", **{"x-purpose": "prosecution"}).get(f"/materials/{material['id']}/content"))
    trust = EventTrust.load(KEYS / "trust.json")
    for record_id in (referral["id"], material["id"]):
        document = exported(zone, record_id)
        kinds = [(r["kind"], r["region"]) for r in document["receipts"]]
        assert kinds == [
            ("submitted", "qingpu"),
            ("relayed", "wujiang"),
            ("delivered", "wujiang"),
            ("retrieved", "wujiang"),
        ]
        assert document["receipts"][-1]["actor"] == "w-p1"
        assert evidence.verify(document, trust) == []
    # The sender sees the chain on the record.
    assert [r["kind"] for r in ok(prosecutor(zone, Q).get(f"/referrals/{referral['id']}"))["receipts"]] == [
        "submitted",
        "relayed",
        "delivered",
        "retrieved",
    ]
    # Only the sender's instance exports.
    assert prosecutor(zone, W).get(f"/evidence/{referral['id']}").status_code == 403

    document = exported(zone, referral["id"])
    altered = json.loads(json.dumps(document))
    altered["receipts"][1]["at"] = "2020-01-01T00:00:00+00:00"
    assert any(p.startswith("receipt 2 (relayed") and "signature" in p for p in evidence.verify(altered, trust))
    removed = json.loads(json.dumps(document))
    del removed["receipts"][2]
    problems = evidence.verify(removed, trust)
    assert any(p.startswith("receipt 3 (retrieved") and "delivered receipt is missing" in p for p in problems)
    swapped = json.loads(json.dumps(document))
    swapped["receipts"][1], swapped["receipts"][2] = swapped["receipts"][2], swapped["receipts"][1]
    assert any(p.startswith("receipt 2 (delivered") and "out of order" in p for p in evidence.verify(swapped, trust))


def test_an_undecided_referral_and_a_delivery_lacking_its_receipts_are_flagged_once(zone_of, monkeypatch):
    monkeypatch.setenv("YRD_PROCURATORATE_REFERRAL_DECISION_SECONDS", "0")
    monkeypatch.setenv("YRD_PROCURATORATE_RECEIPT_SECONDS", "0")
    zone = zone_of(Domain.PROCURATORATE, hold=True)  # nothing reaches Wujiang until the test says so
    referral = refer(zone)["id"]
    zone.scan()
    zone.scan()

    def flagged(region: Region = Q) -> list[tuple[str, str | None]]:
        return [
            (r["type"], json.loads(r["detail"]).get("missing"))
            for r in zone.rows(region, "SELECT * FROM timeline WHERE record_id = ?", referral)
            if r["type"] in ("referral-overdue", "receipt-overdue")
        ]

    assert [t for t, _ in flagged()] == ["referral-overdue", "receipt-overdue"]  # once each, however often
    assert flagged()[1][1] == "relayed"
    assert gauges(zone) == {("referral", "wujiang"): 1.0, ("relayed", "wujiang"): 1.0}  # wujiang must act
    zone.settle()  # the referral reaches Wujiang, whose relayed receipt comes back
    zone.scan()
    zone.settle()
    assert [t for t, _ in flagged()].count("receipt-overdue") == 2 and flagged()[-1][1] == "delivered"
    ok(prosecutor(zone, W).get(f"/referrals/{referral}"))  # shown to the receiving office
    zone.settle()
    zone.scan()
    zone.settle()
    assert len(flagged()) == 3  # nothing more is missing: no new flag
    assert gauges(zone) == {("referral", "wujiang"): 1.0}  # the receipts came; the decision has not
    assert [t for t, _ in flagged(W)] == ["referral-overdue", "receipt-overdue", "receipt-overdue"]  # seen there too


def test_case_numbers_continue_after_a_rebuild_from_the_highest_given(zone):
    first = refer(zone)["id"]
    number = ok(chief(zone, W).post(f"/referrals/{first}/decision", json={"outcome": "accepted"}))["case_number"]
    store = zone.runtime(W).store
    store.write(lambda conn: conn.execute("DELETE FROM case_sequences"))  # as a store rebuilt from the topics
    assert store.write(lambda conn: db.restore_sequences(conn, "wujiang")) == 1
    second = refer(zone)["id"]
    following = ok(chief(zone, W).post(f"/referrals/{second}/decision", json={"outcome": "accepted"}))["case_number"]
    assert parse_case_number(following)[2] == parse_case_number(number)[2] + 1


TABLES = [
    f"SELECT * FROM {table} ORDER BY {key}"
    for table, key in [
        ("referrals", "id"),
        ("assistance", "id"),
        ("joint_cases", "id"),
        ("findings", "id"),
        ("steps", "id"),
        ("materials", "id"),
        ("parties", "record_id, region"),
        ("receipts", "id"),
    ]
] + ["SELECT event_id, record_id, type, at, region, actor, detail FROM timeline ORDER BY event_id"]


def _life(zone) -> None:
    """Every kind of record and step, and the receipts they earn."""
    first, second = refer(zone)["id"], refer(zone)["id"]
    ok(prosecutor(zone, W, "w-p1").get(f"/referrals/{first}"))
    ok(chief(zone, W).post(f"/referrals/{first}/decision", json={"outcome": "accepted"}))
    ok(chief(zone, W).post(f"/referrals/{second}/decision", json={"outcome": "declined", "reasons": "无管辖"}))
    due = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    body = {"asked_region": "jiashan", "kind": "records", "subject": "调取账册", "due_at": due}
    request = ok(prosecutor(zone, Q).post("/assistance-requests", json=body), 202)["id"]
    ok(chief(zone, J).post(f"/assistance-requests/{request}/assignment", json={"assignee": "j-p2"}))
    ok(chief(zone, J).post(f"/assistance-requests/{request}/assignment", json={"assignee": "j-p1"}))
    material = register(zone, J, request, classification="internal")["id"]
    answer = {"results": "已调取", "material_ids": [material]}
    ok(prosecutor(zone, J, "j-p1").post(f"/assistance-requests/{request}/answer", json=answer))
    ok(prosecutor(zone, Q, "q-p1", **{"x-purpose": "prosecution"}).get(f"/materials/{material}/content"))
    case = {"title": "太浦河", "matter": "跨界污染", "participants": ["jiashan", "qingpu"]}
    case_id = ok(prosecutor(zone, W).post("/joint-cases", json=case), 201)["id"]
    for region in (W, J, Q):
        ok(prosecutor(zone, region).post(f"/joint-cases/{case_id}/findings", json={"summary": region.value}), 201)
    for step in ("pre_litigation_notice", "suit_filed", "settlement"):
        ok(chief(zone, W).post(f"/joint-cases/{case_id}/steps", json={"step": step, "note": step}))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_read_models_converge_whatever_order_and_however_often_events_arrive(flows_pg, seed):
    from tests.flows.test_convergence import _converges

    _converges(Domain.PROCURATORATE, _life, TABLES, seed, duplicates=20, pg=flows_pg)
