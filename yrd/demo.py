"""`yrd demo`: a short walk through all six services across the three regions, against running
instances (`make run`), printing what the system answers at each step. It is an agency system's view:
every call goes through the Python client (clients/python), with the development keys."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from yrd_client import Client, NotFound, ProblemError, models

from shared.adapters.tokens import load_private_key, mint
from shared.contracts.identifiers import id_check_char
from shared.contracts.regions import ZONE_TZ, Domain, Region, port_of, zone_today
from shared.core.settings import Settings
from shared.rules.policy import Role

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
CREDIT_CODE = "91330421MA2B3C4D5K"


def yuan(low: float | None, high: float | None = None) -> str:
    """An amount, or a range, in yuan as a newcomer reads it."""
    return f"¥{low or 0:,.0f}" if high is None else f"¥{low or 0:,.0f}-{high:,.0f}"


def dust_benchmark(code: str) -> models.ProposeBenchmark:
    """The catalogue's construction-dust benchmark (deploy/enforcement/catalogue.yaml), cut to two tiers."""
    fine = models.PenaltyRange
    return models.ProposeBenchmark(
        code=code,
        name="施工工地未采取有效扬尘防治措施",
        legal_basis="《大气污染防治法》第六十九条",
        article="《大气污染防治法》第一百一十五条",
        tiers=[
            models.TierRule(
                tier="serious",
                criteria=[models.Criterion(factor="repeat_offence", op="is", value=True)],
                range=fine(fine_min_yuan=40_000, fine_max_yuan=70_000),
            ),
            models.TierRule(tier="ordinary", range=fine(fine_min_yuan=10_000, fine_max_yuan=40_000)),
        ],
        effective_from=zone_today(),
    )


class Demo:
    def __init__(self, settings: Settings, say: Callable[[str], None]) -> None:
        self.settings = settings
        self.say = say
        self.run_id = datetime.now(UTC).strftime("%H%M%S")

    def client(self, region: Region, service: Domain, role: Role, purpose: str | None = None) -> Client:
        token = mint(load_private_key(self.settings.keys_dir, region), region, f"demo-{role.value}", [role])
        base = f"http://{self.settings.peer_host}:{port_of(region, service, self.settings.port_base)}"
        return Client(base, token, purpose=purpose)

    def until(self, probe: Callable[[], Any], what: str, timeout: float = 15) -> Any:
        """`probe`'s first truthy answer; a record not there yet (404) is waited for like a falsy one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if result := probe():
                    return result
            except NotFound:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gave up waiting for {what}")

    def person(self, address: str, seq: str) -> str:
        first17 = address + "19880808" + seq
        return first17 + id_check_char(first17)

    def filing(self) -> None:
        clerk, court = (
            self.client(J, Domain.FILING, Role.WINDOW_CLERK),
            self.client(Q, Domain.FILING, Role.COURT_OFFICER),
        )
        plaintiff = models.PersonParty(
            kind="person", role="plaintiff", name="沈某", id_number=self.person("330421", "315")
        )
        defendant = models.OrganisationParty(
            kind="organisation", role="defendant", name="青浦某公司", credit_code="91350100M000100Y43"
        )
        filing = clerk.filing.submit(
            models.SubmitFiling(
                court_region="qingpu",
                case_type="civil",
                claim_summary="买卖合同纠纷",
                claim_amount="50000",
                parties=[plaintiff, defendant],
                documents=[models.Document(name="起诉状.pdf", sha256=hashlib.sha256(self.run_id.encode()).hexdigest())],
            )
        )
        self.say(f"filing   Jiashan window files for the Qingpu court: {filing.id} ({filing.status})")
        self.until(lambda: court.filing.get(filing.id).status == "received", "receipt")
        accepted = court.filing.accept(filing.id)
        self.say(f"filing   Qingpu court accepts it: docket number {accepted.docket_number}")
        seen = self.until(lambda: (f := clerk.filing.get(filing.id)).docket_number and f, "the decision at the window")
        self.say(f"filing   the Jiashan window shows: {seen.status} {seen.docket_number}")

    def alerts(self) -> None:
        owner = self.client(W, Domain.ALERTS, Role.POLICE_OFFICER)
        alert = owner.alerts.raise_alert(
            models.RaiseAlert(
                category="wanted_vehicle",
                severity="II",
                title="肇事逃逸车辆",
                description="白色SUV",
                location=models.Location(lat=31.0, lon=120.7, address="吴江区汾湖大道"),
                action="locate",
                subjects=[models.AlertSubject(kind="vehicle", description="白色SUV", plate="苏E99999")],
                valid_until=datetime.now(UTC) + timedelta(hours=2),
            )
        )
        self.say(f"alerts   Wujiang raises a severity II alert for {', '.join(alert.targets)}: {alert.id}")
        jiashan = self.client(J, Domain.ALERTS, Role.POLICE_OFFICER)
        self.until(lambda: jiashan.alerts.get(alert.id), "the alert at Jiashan")
        jiashan.alerts.acknowledge(alert.id)
        acks = self.until(
            lambda: [a for a in owner.alerts.get(alert.id).acknowledgements if a.acknowledged_at],
            "the acknowledgement at the owner",
        )
        self.say(f"alerts   acknowledged so far: {', '.join(a.region for a in acks)}")

    def notary(self) -> None:
        office = self.client(Q, Domain.NOTARY, Role.NOTARY)
        document = hashlib.sha256(f"contract-{self.run_id}".encode()).hexdigest()
        applicant = models.Applicant(name="陆某", id_number=self.person("310118", "426"))
        cert = office.notary.issue(
            models.IssueCertificate(matter="contract", document_sha256=document, applicant=applicant)
        )
        self.say(f"notary   Qingpu issues certificate {cert.number}")
        wujiang = self.client(W, Domain.NOTARY, Role.NOTARY)
        self.until(lambda: wujiang.notary.get(cert.number), "the registry")
        for label, digest in (("the original", document), ("an altered copy", "0" * 64)):
            answer = wujiang.notary.verify(models.Verify(certificate_number=cert.number, document_sha256=digest))
            self.say(f"notary   Wujiang verifies {label}: {answer.result}")

    def corrections(self) -> None:
        home = self.client(J, Domain.CORRECTIONS, Role.CORRECTIONS_OFFICER)
        seq = f"{int(self.run_id) % 500 * 2 + 1:03d}"
        number = self.person("330421", seq)
        today = zone_today()
        subject = home.corrections.enrol(
            models.Enrol(
                id_number=number,
                name="顾某",
                gender="male",
                birth_date=date(1988, 8, 8),
                correction_type="probation",
                sentence_summary="缓刑一年",
                judgment_effective_date=today,
                start_date=today,
                end_date=today + timedelta(days=365),
                supervising_office="嘉善县某司法所",
                risk_level="low",
                residence_address="嘉善县某镇",
            )
        )
        self.say(f"correct. Jiashan enrols {subject.name_masked} {subject.id_masked}")
        home.corrections.report_in(subject.id)
        qingpu = self.client(Q, Domain.CORRECTIONS, Role.CORRECTIONS_OFFICER, purpose="supervision")
        hit = self.until(lambda: (r := qingpu.corrections.lookup(models.Lookup(id_number=number))).hit and r, "a hit")
        self.say(f"correct. Qingpu looks the ID number up: hit, home region {hit.home_region}")
        try:
            qingpu.corrections.detail(subject.id)
        except ProblemError as refused:
            self.say(f"correct. Qingpu asks for the full record: {refused.status} (no travel to Qingpu yet)")
        trip = models.ApproveTravel(
            destination="qingpu", from_date=today, to_date=today + timedelta(days=2), reason="探亲"
        )
        travel = home.corrections.approve_travel(subject.id, trip)
        self.until(lambda: qingpu.corrections.get(subject.id).status == "travelling", "the trip")
        detail = qingpu.corrections.detail(subject.id)
        self.say(f"correct. during the approved trip Qingpu reads it, supervised by {detail.supervising_office}")
        home.corrections.record_return(travel.id)
        released = home.corrections.release(subject.id)
        self.say(f"correct. back home, and released at the end of the demo: {released.status}")

    def enforcement(self) -> None:
        legal = {region: self.client(region, Domain.ENFORCEMENT, Role.ENFORCEMENT_LEGAL) for region in (Q, J, W)}
        code = f"DEMO-DUST-{datetime.now(ZONE_TZ):%Y%m%d%H%M%S}"  # the demo's own code: no real benchmark's
        proposed = legal[Q].enforcement.propose_benchmark(dust_benchmark(code))
        tiers = proposed.versions[0].tiers
        ranges = ", ".join(f"{t.tier} {yuan(t.range.fine_min_yuan, t.range.fine_max_yuan)}" for t in tiers)
        self.say(f"enforce. Qingpu proposes a zone benchmark for site dust, {code}: {ranges}")
        for region, reviewer in legal.items():
            self.until(lambda c=reviewer: c.enforcement.benchmark(proposed.id), f"the proposal in {region.value}")
            reviewer.enforcement.vote(proposed.id, models.Vote(version=1, vote="approve"))
        officer = self.client(W, Domain.ENFORCEMENT, Role.ENFORCEMENT_OFFICER)
        today = zone_today()
        adopted = self.until(
            lambda: officer.enforcement.in_force(code=code, on=str(today), region="wujiang"), "the adoption in Wujiang"
        )
        self.say(f"enforce. all three approve v{adopted.version}: {adopted.status}, in force in Wujiang from {today}")
        decision = officer.enforcement.record_decision(
            models.RecordDecision(
                code=code,
                violation_date=today,
                factors=models.Factors(first_offence=True),
                party=models.OrganisationPenalised(kind="organisation", name="吴江某建筑公司", credit_code=CREDIT_CODE),
                penalty=models.Penalty(fine_yuan=25_000),
            )
        )
        low, high = decision.fine_min_yuan or 0, decision.fine_max_yuan or 0
        place = (decision.fine_yuan - low) / max(high - low, 1)  # where in the tier's range the fine sits
        where = f"within it, {place:.0%} of the way up" if decision.within_range else "outside it"
        self.say(
            f"enforce. Wujiang fines a first offence {yuan(decision.fine_yuan)}: tier {decision.tier}"
            f" {yuan(low, high)}, {where}: {decision.status}"
        )
        jiashan = self.client(J, Domain.ENFORCEMENT, Role.ENFORCEMENT_OFFICER, purpose="law-enforcement")
        ask = models.SimilarCases(code=code, factors=models.Factors(first_offence=True))
        similar = self.until(
            lambda: (a := jiashan.enforcement.similar_cases(ask)) and any(r.count for r in a.regions) and a,
            "Wujiang's decision among Jiashan's similar cases",
        )
        seen = next(r for r in similar.regions if r.region == "wujiang")
        self.say(f"enforce. Jiashan's similar cases ({similar.tier}): Wujiang {seen.count}, median {yuan(seen.median)}")
        try:
            jiashan.enforcement.party(decision.id)
        except ProblemError as refused:
            self.say(f"enforce. Jiashan asks who was fined: {refused.status} (the party stays with Wujiang)")

    def procuratorate(self) -> None:
        qingpu = self.client(Q, Domain.PROCURATORATE, Role.PROSECUTOR)
        clue = models.ReferClue(
            to_region="wujiang", title="太浦河排污线索", summary="夜间偷排", offence="public_interest"
        )
        referral = qingpu.procuratorate.refer(clue)
        self.say(f"procur.  Qingpu refers a clue to Wujiang, which has jurisdiction: {referral.id} ({referral.status})")
        chief = self.client(W, Domain.PROCURATORATE, Role.PROSECUTION_CHIEF)
        self.until(lambda: chief.procuratorate.referral(referral.id), "the referral in Wujiang")
        chief.procuratorate.decide_referral(referral.id, models.DecideReferral(outcome="accepted"))
        decided = self.until(
            lambda: (r := qingpu.procuratorate.referral(referral.id)).case_number and r, "the decision in Qingpu"
        )
        self.say(f"procur.  Wujiang's chief accepts it; Qingpu sees: {decided.status}, case {decided.case_number}")
        content = f"询问笔录 {self.run_id}".encode()
        material = qingpu.procuratorate.register_material(
            models.RegisterMaterial(
                record_id=referral.id,
                name="询问笔录.txt",
                content_type="text/plain",
                classification="secret",
                content_base64=base64.b64encode(content).decode(),
            )
        )
        self.say(
            f"procur.  Qingpu keeps a secret statement; the others learn only its SHA-256 {material.sha256[:12]}…"
            f" and holder {material.holder_region}"
        )
        reader = self.client(W, Domain.PROCURATORATE, Role.PROSECUTOR, purpose="prosecution")
        self.until(lambda: reader.procuratorate.material(material.id), "the material in Wujiang")
        fetched = reader.procuratorate.material_content(material.id)
        same = "identical" if base64.b64decode(fetched.content_base64) == content else "DIFFERENT"
        self.say(f"procur.  a Wujiang prosecutor fetches it from {fetched.holder_region} (purpose prosecution): {same}")
        chain = self.until(
            lambda: len((e := qingpu.procuratorate.evidence(material.id)).receipts) == 4 and e, "four receipts"
        )
        receipts = ", ".join(f"{r.kind} ({r.region})" for r in chain.receipts)
        self.say(f"procur.  Qingpu's signed delivery receipts: {receipts}; export signed by {chain.exported_by}")


def run(settings: Settings, say: Callable[[str], None] = print) -> None:
    demo = Demo(settings, say)
    for step in (demo.filing, demo.alerts, demo.notary, demo.corrections, demo.enforcement, demo.procuratorate):
        step()
