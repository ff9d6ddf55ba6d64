"""A corrections officer's daily work across the zone (broker-free): cancelling an approved trip before it
begins; a trip past its last day flagged once; the full record in one call at home; withdrawing a pending
transfer (even crossing the destination's acceptance); updating a subject, the zone learning only what the
shared profile shows; purging the record once its retention period after release has passed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from services.corrections import retention, service
from shared.contracts.regions import Domain, Region, zone_today
from shared.rules.policy import Role
from tests.e2e.filing_data import id_number
from tests.flows.corrections_data import enrolled as enrol_at
from tests.instances import token
from yrd import cli

J, Q = Region.JIASHAN, Region.QINGPU


def officer(zone, region: Region, purpose: str | None = None):
    headers = {"x-purpose": purpose} if purpose else {}
    return zone.client(region, token=token(region, Role.CORRECTIONS_OFFICER), **headers)


def enrolled(zone, seq: str) -> str:
    return enrol_at(zone, J, seq)


def trip(zone, subject_id: str, starts_in: int, days: int) -> dict:
    first = zone_today() + timedelta(days=starts_in)
    body = {
        "destination": "qingpu",
        "from_date": first.isoformat(),
        "to_date": (first + timedelta(days=days)).isoformat(),
        "reason": "探亲",
    }
    answer = officer(zone, J).post(f"/subjects/{subject_id}/travels", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_an_approved_trip_is_cancelled_before_it_begins_and_not_after(zone_of):
    zone = zone_of(Domain.CORRECTIONS)
    later = enrolled(zone, "133")
    planned = trip(zone, later, starts_in=2, days=3)
    assert officer(zone, Q).post(f"/travels/{planned['id']}/cancel", json={"reason": "x"}).status_code == 403
    cancelled = officer(zone, J).post(f"/travels/{planned['id']}/cancel", json={"reason": "家属来嘉善探望"})
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["reason"]) == ("cancelled", "家属来嘉善探望")
    for region in (J, Q):
        subject = officer(zone, region).get(f"/subjects/{later}").json()
        assert subject["status"] == "under_supervision"
        assert [t["status"] for t in subject["travels"]] == ["cancelled"]

    started = trip(zone, enrolled(zone, "153"), starts_in=0, days=2)  # begins today: already under way
    refused = officer(zone, J).post(f"/travels/{started['id']}/cancel", json={"reason": "取消"})
    assert refused.status_code == 409 and refused.json()["current_status"] == "travelling"


def test_a_trip_past_its_last_day_without_a_return_is_flagged_once_at_home_and_destination(zone_of):
    zone = zone_of(Domain.CORRECTIONS)
    subject_id = enrolled(zone, "173")
    away = trip(zone, subject_id, starts_in=0, days=1)
    home = zone.runtime(J)
    last_day = zone_today() + timedelta(days=1)
    for today in (last_day, last_day + timedelta(days=1), last_day + timedelta(days=2)):  # the home's scanner
        home.store.write(lambda conn, day=today: service.scan_travels(home.unit_of_work(conn), day))
        zone.settle()
    for region, purpose in ((J, None), (Q, "supervision")):
        subject = officer(zone, region, purpose).get(f"/subjects/{subject_id}").json()
        travel = next(t for t in subject["travels"] if t["id"] == away["id"])
        assert travel["overdue_flagged"] is True
        assert [e["type"] for e in subject["timeline"]].count("travel-overdue") == 1
    returned = officer(zone, J).post(f"/travels/{away['id']}/return")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"


def test_at_home_one_call_gives_the_officer_the_full_record_with_a_purpose(zone_of):
    zone = zone_of(Domain.CORRECTIONS)
    subject_id = enrolled(zone, "193")
    plain = officer(zone, J).get(f"/subjects/{subject_id}").json()
    assert plain["record"] is None and plain["name_masked"] == "顾*"  # no purpose: the profile only
    full = officer(zone, J, "supervision").get(f"/subjects/{subject_id}")
    assert full.status_code == 200, full.text
    record = full.json()["record"]
    assert (record["name"], record["supervising_office"]) == ("顾某", "嘉善县某司法所")
    assert record["id_number"] == id_number(born="19850315", seq="193")
    assert officer(zone, J, "law-enforcement").get(f"/subjects/{subject_id}").status_code == 403  # not for this
    elsewhere = officer(zone, Q, "supervision").get(f"/subjects/{subject_id}").json()
    assert elsewhere["record"] is None  # another region's officer: the profile, as before (detail has its rules)
    with zone.runtime(J).store.connect() as conn:
        reads = conn.execute(
            "SELECT decision FROM audit_index WHERE record = ? AND action = 'corrections.read_detail'", (subject_id,)
        ).fetchall()
    assert [r[0] for r in reads] == ["allowed", "denied"]


def _transfer(zone, subject_id: str) -> str:
    asked = officer(zone, J).post(f"/subjects/{subject_id}/transfers", json={"destination": "qingpu", "reason": "搬家"})
    assert asked.status_code == 201, asked.text
    return asked.json()["id"]


def _transfers_everywhere(zone, subject_id: str) -> set[str]:
    return {t["status"] for r in (J, Q) for t in officer(zone, r).get(f"/subjects/{subject_id}").json()["transfers"]}


def test_the_home_withdraws_a_pending_transfer_and_the_destination_can_no_longer_accept_it(zone_of):
    zone = zone_of(Domain.CORRECTIONS)
    subject_id = enrolled(zone, "215")
    transfer_id = _transfer(zone, subject_id)
    withdrawn = officer(zone, J).post(f"/transfers/{transfer_id}/withdraw", json={"reason": "当事人决定不搬家"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert _transfers_everywhere(zone, subject_id) == {"withdrawn"}
    assert officer(zone, Q).get(f"/subjects/{subject_id}").json()["status"] == "under_supervision"
    office = {"supervising_office": "青浦区某司法所"}
    late = officer(zone, Q, "transfer-handover").post(f"/transfers/{transfer_id}/accept", json=office)
    assert late.status_code == 409 and late.json()["current_status"] == "withdrawn"


def test_a_withdrawal_crossing_an_acceptance_prevails_in_every_region(zone_of):
    zone = zone_of(Domain.CORRECTIONS, hold=True)
    subject_id = enrolled(zone, "237")
    transfer_id = _transfer(zone, subject_id)
    zone.settle()  # the destination knows of the request
    office = {"supervising_office": "青浦区某司法所"}
    accepted = officer(zone, Q, "transfer-handover").post(f"/transfers/{transfer_id}/accept", json=office)
    assert accepted.status_code == 200, accepted.text  # Qingpu has fetched and kept the record...
    withdrawn = officer(zone, J).post(f"/transfers/{transfer_id}/withdraw", json={"reason": "撤回"})
    assert withdrawn.status_code == 200, withdrawn.text  # ...while Jiashan, not knowing, withdraws
    zone.settle()
    assert _transfers_everywhere(zone, subject_id) == {"withdrawn"}
    for region in (J, Q):
        subject = officer(zone, region).get(f"/subjects/{subject_id}").json()
        assert (subject["home_region"], subject["status"]) == ("jiashan", "under_supervision")
    with zone.runtime(Q).store.connect() as conn:
        kept = conn.execute("SELECT subject_id FROM subject_details WHERE subject_id = ?", (subject_id,)).fetchall()
    assert kept == []  # the record Qingpu fetched when accepting is not kept there


def test_the_home_updates_a_subject_and_the_zone_learns_only_what_the_profile_shows(zone_of):
    zone = zone_of(Domain.CORRECTIONS)
    subject_id = enrolled(zone, "259")
    change = {"risk_level": "high", "supervising_office": "嘉善县罗星司法所", "prohibitions": ["禁止接触被害人"]}
    assert officer(zone, Q).patch(f"/subjects/{subject_id}", json=change).status_code == 403  # not the home
    assert officer(zone, J).patch(f"/subjects/{subject_id}", json={}).status_code == 422
    updated = officer(zone, J).patch(f"/subjects/{subject_id}", json=change)
    assert updated.status_code == 200, updated.text
    assert officer(zone, J).patch(f"/subjects/{subject_id}", json=change).status_code == 200  # the same again

    elsewhere = officer(zone, Q).get(f"/subjects/{subject_id}").json()
    assert elsewhere["risk_level"] == "high"  # the profile shows the risk level...
    told = [e for e in elsewhere["timeline"] if e["type"] == "subject-updated"]
    assert [e["detail"] for e in told] == [{"changed": ["prohibitions", "risk_level", "supervising_office"]}]
    assert "罗星" not in str(elsewhere)  # ...not the office, which stays in the home's record
    record = officer(zone, J, "supervision").get(f"/subjects/{subject_id}").json()["record"]
    assert (record["supervising_office"], record["risk_level"], record["prohibitions"]) == (
        "嘉善县罗星司法所",
        "high",
        ["禁止接触被害人"],
    )


def test_after_the_retention_period_the_home_purges_the_record_and_every_region_keeps_statistics(zone_of):
    zone = zone_of(Domain.CORRECTIONS)
    subject_id = enrolled(zone, "271")
    number = id_number(born="19850315", seq="271")
    assert officer(zone, J).post(f"/subjects/{subject_id}/release").status_code == 200
    home = zone.runtime(J)

    def purge(days_after_release: int) -> list[str]:
        later = datetime.now(UTC) + timedelta(days=days_after_release)
        purged = home.store.write(lambda conn: retention.purge_due(home.unit_of_work(conn), later, 365))
        zone.settle()
        return purged

    assert purge(364) == []  # not yet
    assert purge(366) == [subject_id] and purge(400) == []  # once
    for region in (J, Q):
        profile = officer(zone, region).get(f"/subjects/{subject_id}").json()
        assert (profile["name_masked"], profile["id_masked"], profile["status"]) == (None, None, "released")
        assert profile["correction_type"] == "probation" and profile["home_region"] == "jiashan"  # statistics
        miss = officer(zone, region, "supervision").post("/subjects/lookup", json={"id_number": number}).json()
        assert miss == {"hit": False}
    gone = officer(zone, J, "supervision").get(f"/subjects/{subject_id}/detail")
    assert gone.status_code == 404 and "retention" in gone.json()["detail"]
    with home.store.connect() as conn:
        audited = conn.execute(
            "SELECT actor, decision FROM audit_index WHERE record = ? AND action = 'corrections.purge'", (subject_id,)
        ).fetchall()
        kept = conn.execute("SELECT record FROM subject_details WHERE subject_id = ?", (subject_id,)).fetchall()
    assert [tuple(a) for a in audited] == [("system:retention@jiashan", "allowed")] and kept == []


def test_yrd_retention_run_purges_what_is_due_now(zone_of, monkeypatch):
    zone = zone_of(Domain.CORRECTIONS)
    subject_id = enrolled(zone, "293")
    assert officer(zone, J).post(f"/subjects/{subject_id}/release").status_code == 200
    settings = zone.runtime(J).settings
    for name, value in {"YRD_DATA_DIR": settings.data_dir, "YRD_KEYS_DIR": settings.keys_dir}.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("YRD_TOPIC_PREFIX", settings.topic_prefix)
    monkeypatch.setenv("YRD_PORT_BASE", str(settings.port_base))
    if settings.store_url:  # the zone's stores are in PostgreSQL
        monkeypatch.setenv("YRD_STORE_URL", settings.store_url)
    else:
        monkeypatch.delenv("YRD_STORE_URL", raising=False)
    ran = CliRunner().invoke(cli.app, ["retention", "run", "--region", "jiashan", "--days", "0"])
    assert ran.exit_code == 0 and "purged 1 record" in ran.output, ran.output
    zone.settle()  # the instance's relay publishes what the command stored
    assert officer(zone, Q).get(f"/subjects/{subject_id}").json()["name_masked"] is None
