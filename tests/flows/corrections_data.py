"""A subject enrolled at its home region and reported in, for the corrections flows."""

from __future__ import annotations

from datetime import timedelta

from shared.contracts.regions import REGIONS, Region, zone_today
from shared.rules.policy import Role
from tests.e2e.filing_data import id_number
from tests.instances import token


def enrolled(zone, home: Region, seq: str) -> str:
    """Enrol a subject born 1985-03-15 (the ID number's sequence `seq`) at `home`, reported in; its id."""
    today, place = zone_today(), REGIONS[home].name_zh
    body = {
        "id_number": id_number(born="19850315", seq=seq),
        "name": "顾某",
        "gender": "male" if int(seq[-1]) % 2 else "female",
        "birth_date": "1985-03-15",
        "correction_type": "probation",
        "sentence_summary": "缓刑六个月",
        "judgment_effective_date": today.isoformat(),
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=180)).isoformat(),
        "supervising_office": f"{place}某司法所",
        "risk_level": "low",
        "residence_address": f"{place}某镇",
    }
    officer = zone.client(home, token=token(home, Role.CORRECTIONS_OFFICER))
    subject = officer.post("/subjects", json=body)
    assert subject.status_code == 201, subject.text
    assert officer.post(f"/subjects/{subject.json()['id']}/report-in").status_code == 200
    return subject.json()["id"]
