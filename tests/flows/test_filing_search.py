"""Finding a case (broker-free): by docket number, by a party's ID number (its keyed hash, with a purpose,
audited, in the window's region and the court's alike), by the overdue flag and by when it was decided."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import orjson

from services.filing.store import MIGRATIONS, search
from shared.adapters.store import Store
from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body, id_number
from tests.instances import token

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
SHEN, LU = id_number(seq="315"), id_number(address="310118", seq="426")


def clerk(zone, **headers):
    return zone.client(J, token=token(J, Role.WINDOW_CLERK), **headers)


def court(zone, **headers):
    return zone.client(Q, token=token(Q, Role.COURT_OFFICER), **headers)


def file(zone, plaintiff: str) -> str:
    answer = clerk(zone).post("/filings", json=filing_body(court="qingpu", plaintiff_id=plaintiff))
    assert answer.status_code == 202, answer.text
    return answer.json()["id"]


def found(client, **query) -> list[str]:
    answer = client.get("/filings", params={**query, "limit": 100})
    assert answer.status_code == 200, answer.text
    return [f["id"] for f in answer.json()["items"]]


def test_a_partys_filings_are_found_by_id_number_with_a_purpose_and_audited(zone_of):
    zone = zone_of(Domain.FILING)
    first, other, second = file(zone, SHEN), file(zone, LU), file(zone, SHEN)

    assert found(court(zone, **{"x-purpose": "case-review"}), party_id_number=SHEN) == [second, first]
    assert found(clerk(zone, **{"x-purpose": "case-filing"}), party_id_number=LU.lower()) == [other]
    refused = court(zone).get("/filings", params={"party_id_number": SHEN})  # no purpose declared
    assert refused.status_code == 403
    assert (
        court(zone, **{"x-purpose": "case-review"})
        .get("/filings", params={"party_id_number": "330421198803152140"})
        .status_code
        == 422
    )  # not an ID number (wrong check digit)

    with zone.runtime(Q).store.connect() as conn:
        entries = [row[0].decode() for row in conn.execute("SELECT entry FROM audit_log ORDER BY idx")]
        hashed = [row[0] for row in conn.execute("SELECT id_hash FROM filing_party_hashes")]
    searches = [orjson.loads(e) for e in entries if '"filing.find_by_party"' in e]
    assert [(e["decision"], e["purpose"]) for e in searches] == [("allowed", "case-review"), ("denied", None)]
    assert not any(SHEN in e for e in entries) and SHEN not in hashed  # the number itself is nowhere here


def test_cases_are_found_by_docket_overdue_flag_and_decision_time(zone_of, monkeypatch):
    monkeypatch.setenv("YRD_FILING_DECISION_SECONDS", "1")
    zone = zone_of(Domain.FILING)
    accepted, rejected, waiting = file(zone, SHEN), file(zone, SHEN), file(zone, LU)
    before = datetime.now(UTC).isoformat()
    docket = court(zone).post(f"/filings/{accepted}/accept").json()["docket_number"]
    assert court(zone).post(f"/filings/{rejected}/reject", json={"reason": "不属于本院管辖"}).status_code == 200
    after = datetime.now(UTC).isoformat()

    for client in (court(zone), clerk(zone)):  # the court's region and the window's see the same
        assert found(client, docket_number=docket) == [accepted]
        assert set(found(client, decided_from=before, decided_to=after)) == {accepted, rejected}
        assert found(client, decided_from=after) == []

    time.sleep(1.1)
    zone.runtime(Q).scan_once()  # the court region's deadline scanner
    zone.settle()
    assert found(court(zone), overdue="true") == [waiting]
    assert found(clerk(zone), overdue="true") == [waiting]


def test_a_listed_filing_shows_what_reading_it_shows_in_every_state(zone_of, monkeypatch):
    """A list serves each row's stored JSON (kept by the store's triggers), not the columns: it must match
    the filing as read one by one, whatever changed it (a decision, a notice, the overdue scanner)."""
    monkeypatch.setenv("YRD_FILING_DECISION_SECONDS", "1")
    zone = zone_of(Domain.FILING)
    accepted, rejected, noticed, waiting = (file(zone, SHEN) for _ in range(4))
    assert court(zone).post(f"/filings/{accepted}/accept").status_code == 200
    assert court(zone).post(f"/filings/{rejected}/reject", json={"reason": "不属于本院管辖"}).status_code == 200
    notice = {"missing_items": ["身份证明", "证据目录"], "deadline": "2099-01-31"}
    assert court(zone).post(f"/filings/{noticed}/request-correction", json=notice).status_code == 200
    time.sleep(1.1)
    zone.runtime(Q).scan_once()  # flags the one still waiting as overdue
    zone.settle()

    reader = zone.client(W, token=token(W, Role.COURT_OFFICER))
    for client in (court(zone), clerk(zone), reader):
        listed = client.get("/filings", params={"limit": 100}).json()["items"]
        read = [client.get(f"/filings/{item['id']}").json() for item in listed]
        assert listed == [{k: v for k, v in filing.items() if k != "timeline"} for filing in read]
        shown = {item["id"]: item for item in listed}
        assert [shown[i]["status"] for i in (accepted, rejected, noticed, waiting)] == [
            "accepted",
            "rejected",
            "correction_requested",
            "received",
        ]
        assert shown[waiting]["overdue_flagged"] is True and shown[accepted]["overdue_flagged"] is False
        assert shown[noticed]["missing_items"] == notice["missing_items"]
        assert shown[accepted]["docket_number"] and shown[rejected]["reason"] == "不属于本院管辖"


def test_filings_stored_before_the_listed_column_are_listed_after_the_migration(tmp_path):
    """An instance upgraded in place: rows written before `filing-004-listed` get their listed JSON."""
    before = [m for m in MIGRATIONS if m[0] != "filing-004-listed"]
    old = Store(tmp_path / "filing.sqlite3", before)
    with old.transaction() as conn:
        conn.execute(
            "INSERT INTO filings(id, court_region, receiving_region, status, version, parties, submitted_at) "
            "VALUES ('f1', 'qingpu', 'jiashan', 'received', 2, ?, '2026-11-27T08:00:00+00:00')",
            (b'[{"role":"plaintiff","name":"\\u5f20*"}]',),  # bytes, as older code stored JSON
        )
    old.close()
    with Store(tmp_path / "filing.sqlite3", MIGRATIONS).read() as conn:
        [item] = search(conn, {}, 20, None)["items"]
    assert orjson.loads(item["listed"]) == {
        **dict.fromkeys(["case_type", "claim_summary", "claim_amount", "documents", "filed_by", "received_at"]),
        **dict.fromkeys(["decision_due", "decided_at", "docket_number", "reason", "missing_items", "agency"]),
        "correction_deadline": None,
        "id": "f1",
        "receiving_region": "jiashan",
        "court_region": "qingpu",
        "status": "received",
        "version": 2,
        "parties": [{"role": "plaintiff", "name": "张*"}],
        "submitted_at": "2026-11-27T08:00:00+00:00",
        "overdue_flagged": False,
        "correction_lapsed": False,
    }
