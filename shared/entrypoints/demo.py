"""`yrd demo`: a short walk through all four services across the three regions, against running
instances (`make run`), printing what the system answers at each step. Uses the development keys."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from shared.adapters.tokens import load_private_key, mint
from shared.contracts.regions import Domain, Region, port_of, zone_today
from shared.core.settings import Settings
from shared.rules.identity import id_check_char
from shared.rules.policy import Role

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG


class Demo:
    def __init__(self, settings: Settings, say: Callable[[str], None]) -> None:
        self.settings = settings
        self.say = say
        self.run_id = datetime.now(UTC).strftime("%H%M%S")

    def client(self, region: Region, service: Domain, role: Role, purpose: str | None = None) -> httpx.Client:
        token = mint(load_private_key(self.settings.keys_dir, region), region, f"demo-{role.value}", [role])
        headers = {"authorization": f"Bearer {token}", **({"x-purpose": purpose} if purpose else {})}
        base = f"http://{self.settings.peer_host}:{port_of(region, service, self.settings.port_base)}/v1"
        return httpx.Client(base_url=base, headers=headers, timeout=10)

    def until(self, probe: Callable[[], Any], what: str, timeout: float = 15) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if result := probe():
                return result
            time.sleep(0.1)
        raise RuntimeError(f"gave up waiting for {what}")

    @staticmethod
    def ok(response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            raise RuntimeError(f"{response.request.method} {response.request.url.path}: {response.text}")
        return response.json()

    def person(self, address: str, seq: str) -> str:
        first17 = address + "19880808" + seq
        return first17 + id_check_char(first17)

    def filing(self) -> None:
        clerk, court = (
            self.client(J, Domain.FILING, Role.WINDOW_CLERK),
            self.client(Q, Domain.FILING, Role.COURT_OFFICER),
        )
        filing = self.ok(
            clerk.post(
                "/filings",
                json={
                    "court_region": "qingpu",
                    "case_type": "civil",
                    "claim_summary": "买卖合同纠纷",
                    "claim_amount": "50000",
                    "parties": [
                        {
                            "kind": "person",
                            "role": "plaintiff",
                            "name": "沈某",
                            "id_number": self.person("330421", "315"),
                        },
                        {
                            "kind": "organisation",
                            "role": "defendant",
                            "name": "青浦某公司",
                            "credit_code": "91350100M000100Y43",
                        },
                    ],
                    "documents": [{"name": "起诉状.pdf", "sha256": hashlib.sha256(self.run_id.encode()).hexdigest()}],
                },
            )
        )
        self.say(f"filing   Jiashan window files for the Qingpu court: {filing['id']} ({filing['status']})")
        self.until(lambda: court.get(f"/filings/{filing['id']}").json().get("status") == "received", "receipt")
        accepted = self.ok(court.post(f"/filings/{filing['id']}/accept"))
        self.say(f"filing   Qingpu court accepts it: docket number {accepted['docket_number']}")
        seen = self.until(
            lambda: (f := clerk.get(f"/filings/{filing['id']}").json()).get("docket_number") and f,
            "the decision at the window",
        )
        self.say(f"filing   the Jiashan window shows: {seen['status']} {seen['docket_number']}")

    def alerts(self) -> None:
        owner = self.client(W, Domain.ALERTS, Role.POLICE_OFFICER)
        alert = self.ok(
            owner.post(
                "/alerts",
                json={
                    "category": "wanted_vehicle",
                    "severity": "II",
                    "title": "肇事逃逸车辆",
                    "description": "白色SUV",
                    "location": {"lat": 31.0, "lon": 120.7, "address": "吴江区汾湖大道"},
                    "action": "locate",
                    "subjects": [{"kind": "vehicle", "description": "白色SUV", "plate": "苏E99999"}],
                    "valid_until": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
                },
            )
        )
        self.say(f"alerts   Wujiang raises a severity II alert for {', '.join(alert['targets'])}: {alert['id']}")
        jiashan = self.client(J, Domain.ALERTS, Role.POLICE_OFFICER)
        self.until(lambda: jiashan.get(f"/alerts/{alert['id']}").status_code == 200, "the alert at Jiashan")
        self.ok(jiashan.post(f"/alerts/{alert['id']}/ack"))
        acks = self.until(
            lambda: [a for a in owner.get(f"/alerts/{alert['id']}").json()["acknowledgements"] if a["acknowledged_at"]],
            "the acknowledgement at the owner",
        )
        self.say(f"alerts   acknowledged so far: {', '.join(a['region'] for a in acks)}")

    def notary(self) -> None:
        office = self.client(Q, Domain.NOTARY, Role.NOTARY)
        document = hashlib.sha256(f"contract-{self.run_id}".encode()).hexdigest()
        cert = self.ok(
            office.post(
                "/certificates",
                json={
                    "matter": "contract",
                    "document_sha256": document,
                    "applicant": {"name": "陆某", "id_number": self.person("310118", "426")},
                },
            )
        )
        self.say(f"notary   Qingpu issues certificate {cert['number']}")
        wujiang = self.client(W, Domain.NOTARY, Role.NOTARY)
        self.until(lambda: wujiang.get(f"/certificates/{cert['number']}").status_code == 200, "the registry")
        for label, digest in (("the original", document), ("an altered copy", "0" * 64)):
            answer = self.ok(
                wujiang.post("/verifications", json={"certificate_number": cert["number"], "document_sha256": digest})
            )
            self.say(f"notary   Wujiang verifies {label}: {answer['result']}")

    def corrections(self) -> None:
        home = self.client(J, Domain.CORRECTIONS, Role.CORRECTIONS_OFFICER)
        seq = f"{int(self.run_id) % 500 * 2 + 1:03d}"
        number = self.person("330421", seq)
        today = zone_today()
        subject = self.ok(
            home.post(
                "/subjects",
                json={
                    "id_number": number,
                    "name": "顾某",
                    "gender": "male",
                    "birth_date": "1988-08-08",
                    "correction_type": "probation",
                    "sentence_summary": "缓刑一年",
                    "judgment_effective_date": today.isoformat(),
                    "start_date": today.isoformat(),
                    "end_date": (today + timedelta(days=365)).isoformat(),
                    "supervising_office": "嘉善县某司法所",
                    "risk_level": "low",
                    "residence_address": "嘉善县某镇",
                },
            )
        )
        self.say(f"correct. Jiashan enrols {subject['name_masked']} {subject['id_masked']}")
        self.ok(home.post(f"/subjects/{subject['id']}/report-in"))
        qingpu = self.client(Q, Domain.CORRECTIONS, Role.CORRECTIONS_OFFICER, purpose="supervision")
        hit = self.until(
            lambda: (r := qingpu.post("/subjects/lookup", json={"id_number": number}).json())["hit"] and r,
            "the lookup hit",
        )
        self.say(f"correct. Qingpu looks the ID number up: hit, home region {hit['home_region']}")
        refused = qingpu.get(f"/subjects/{subject['id']}/detail").status_code
        self.say(f"correct. Qingpu asks for the full record: {refused} (no travel to Qingpu yet)")
        self.ok(
            home.post(
                f"/subjects/{subject['id']}/travels",
                json={
                    "destination": "qingpu",
                    "from_date": today.isoformat(),
                    "to_date": (today + timedelta(days=2)).isoformat(),
                    "reason": "探亲",
                },
            )
        )
        self.until(lambda: qingpu.get(f"/subjects/{subject['id']}").json().get("status") == "travelling", "the trip")
        detail = qingpu.get(f"/subjects/{subject['id']}/detail")
        self.say(
            f"correct. during the approved trip Qingpu reads it: {detail.status_code}, supervised by "
            f"{detail.json().get('supervising_office')}"
        )
        travel = home.get(f"/subjects/{subject['id']}").json()["travels"][0]
        self.ok(home.post(f"/travels/{travel['id']}/return"))
        released = self.ok(home.post(f"/subjects/{subject['id']}/release"))
        self.say(f"correct. back home, and released at the end of the demo: {released['status']}")


def run(settings: Settings, say: Callable[[str], None] = print) -> None:
    demo = Demo(settings, say)
    for step in (demo.filing, demo.alerts, demo.notary, demo.corrections):
        step()
