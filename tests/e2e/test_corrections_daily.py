"""A corrections officer's daily work against running regions: updating a subject (the other regions learn
only what the profile shows), the full record in one call at home, cancelling a trip, withdrawing a transfer,
and purging a record after its retention period with `yrd retention run`."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from shared.contracts.regions import Domain, Region, zone_today
from tests.e2e.test_corrections import enrol, officer, seen_in

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
C = Domain.CORRECTIONS


def test_the_home_updates_a_subject_reads_it_whole_and_cancels_a_trip(corrections_cluster):
    subject, _ = enrol(corrections_cluster, J, "钱某", born="19660606", seq="611")
    sid = subject["id"]
    change = {"risk_level": "high", "supervising_office": "嘉善县罗星司法所"}
    assert officer(corrections_cluster, J).patch(f"/subjects/{sid}", json=change).status_code == 200
    told = seen_in(corrections_cluster, Q, sid, lambda s: s["risk_level"] == "high")
    assert "罗星" not in str(told)  # the office stays in the home's record
    record = officer(corrections_cluster, J, "supervision").get(f"/subjects/{sid}").json()["record"]
    assert record["supervising_office"] == "嘉善县罗星司法所"

    first = zone_today() + timedelta(days=2)
    trip = {"destination": "qingpu", "from_date": first.isoformat(), "to_date": (first + timedelta(days=2)).isoformat()}
    travel = officer(corrections_cluster, J).post(f"/subjects/{sid}/travels", json={**trip, "reason": "探亲"}).json()
    cancelled = officer(corrections_cluster, J).post(f"/travels/{travel['id']}/cancel", json={"reason": "行程取消"})
    assert cancelled.status_code == 200, cancelled.text
    seen_in(
        corrections_cluster,
        Q,
        sid,
        lambda s: s["status"] == "under_supervision" and [t["status"] for t in s["travels"]] == ["cancelled"],
    )


def test_the_home_withdraws_a_transfer_the_destination_has_not_decided(corrections_cluster):
    subject, _ = enrol(corrections_cluster, J, "孙某", born="19670707", seq="713")
    sid = subject["id"]
    asked = officer(corrections_cluster, J).post(
        f"/subjects/{sid}/transfers", json={"destination": "wujiang", "reason": "迁居"}
    )
    transfer_id = asked.json()["id"]
    seen_in(corrections_cluster, W, sid, lambda s: s["status"] == "transfer_pending")
    withdrawn = officer(corrections_cluster, J).post(f"/transfers/{transfer_id}/withdraw", json={"reason": "不再搬迁"})
    assert withdrawn.status_code == 200, withdrawn.text
    seen_in(corrections_cluster, W, sid, lambda s: [t["status"] for t in s["transfers"]] == ["withdrawn"])
    office = {"supervising_office": "吴江区松陵司法所"}
    late = officer(corrections_cluster, W, "transfer-handover").post(f"/transfers/{transfer_id}/accept", json=office)
    assert late.status_code == 409


def test_yrd_retention_run_purges_a_released_record_everywhere(corrections_cluster):
    subject, number = enrol(corrections_cluster, J, "周某", born="19680808", seq="815")
    sid = subject["id"]
    assert officer(corrections_cluster, J).post(f"/subjects/{sid}/release").status_code == 200
    command = [sys.executable, "-m", "yrd.cli", "retention", "run", "--region", "jiashan", "--days", "0"]
    ran = subprocess.run(command, env=corrections_cluster.env(J), capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0 and "purged" in ran.stdout, ran.stderr
    for region in (J, Q, W):
        seen_in(corrections_cluster, region, sid, lambda s: s["name_masked"] is None and s["id_masked"] is None)
    lookup = officer(corrections_cluster, Q, "supervision").post("/subjects/lookup", json={"id_number": number})
    assert lookup.json() == {"hit": False}
