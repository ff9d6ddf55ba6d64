"""The policy table, asserted on every /v1 endpoint of every service against the running instances.

Each endpoint is declared with the action it performs and how the service computes the scope of the
caller; for every role, acting region and instance the response must be 403 exactly when the table
denies. Allowed calls may still answer 409 or 422 (state, input): authorisation comes first everywhere.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import pytest

from shared.contracts.regions import SERVICES, Domain, Region, zone_today
from shared.rules.policy import POLICY, Role, Scope, allowed, scope_of, write_scope
from tests.backends import store_rows
from tests.e2e.filing_data import filing_body, id_number, sha
from tests.helpers import eventually
from tests.instances import token

pytestmark = pytest.mark.e2e
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
ScopeFn = Callable[[str, str], frozenset[Scope] | None]  # (acting, instance) -> scopes; None: any grant
AGENCY = "matrix-agency"  # every agency system here acts for it; the fixture records were made by officers


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # OpenAPI template, filled from the fixture ids
    action: str
    scope: ScopeFn
    body: Callable[[], Any] | None = None
    purpose: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    ndjson: bool = False  # a bulk route: the body goes as one NDJSON line; the line's result says allowed or not
    # Detail held by this region's instance alone: any other instance relays the read there over mutual
    # TLS, and only for a token of its own region (the holder matches the token to the relaying instance).
    held_at: str | None = None


def own_instance(acting: str, instance: str) -> frozenset[Scope]:
    return write_scope(acting, instance, instance)


def writes(owner: str, involved: Callable[[str], bool] = lambda instance: False) -> ScopeFn:
    return lambda acting, instance: write_scope(acting, instance, owner, involved(instance))


def reads(owner: str, involved: Callable[[str], bool] = lambda acting: False) -> ScopeFn:
    return lambda acting, instance: scope_of(acting, owner, involved(acting))


def any_grant(acting: str, instance: str) -> None:
    return None


def expected(role: Role, endpoint: Endpoint, acting: str, instance: str) -> bool:
    if endpoint.held_at not in (None, instance) and acting != instance:
        return False
    scope = endpoint.scope(acting, instance)
    if scope is None:
        return any(allowed(frozenset({role}), endpoint.action, s) for s in Scope)
    # An agency system is party to what it creates at its own instance, never to the officers' records.
    return allowed(frozenset({role}), endpoint.action, scope, agency_party=endpoint.scope is own_instance)


# ---- fixtures: one record per service in a known state, owned by a known region, seen everywhere


def _seen_everywhere(cluster, service: Domain, table: str, record_id: str, check: str = "1") -> None:
    for region in Region:

        def present(r=region) -> bool:
            return store_rows(cluster, r, service, f"SELECT {check} FROM {table} WHERE id = ?", (record_id,)) == [(1,)]

        eventually(present, what=f"{table} {record_id} in {region.value}")


@pytest.fixture(scope="module")
def filing_ids(filing_cluster):
    """Received at the Jiashan window for the Qingpu court, accepted."""
    filing_id = (
        filing_cluster.client(J, Domain.FILING, token(J, Role.WINDOW_CLERK))
        .post("/filings", json=filing_body(court="qingpu"))
        .json()["id"]
    )
    _seen_everywhere(filing_cluster, Domain.FILING, "filings", filing_id, "status = 'received'")
    court = filing_cluster.client(Q, Domain.FILING, token(Q, Role.COURT_OFFICER))
    assert court.post(f"/filings/{filing_id}/accept").status_code == 200
    _seen_everywhere(filing_cluster, Domain.FILING, "filings", filing_id, "status = 'accepted'")
    return {"filing_id": filing_id}


@pytest.fixture(scope="module")
def alert_ids(alerts_cluster):
    """A Wujiang alert for Jiashan and Qingpu, with a reinforcement request to Jiashan."""
    from tests.e2e.alert_data import alert_body

    owner = alerts_cluster.client(W, Domain.ALERTS, token(W, Role.POLICE_OFFICER))
    alert_id = owner.post("/alerts", json=alert_body(severity="IV")).json()["id"]
    request_id = owner.post(
        f"/alerts/{alert_id}/reinforcement-requests",
        json={"to_region": "jiashan", "units": 2, "kind": "警车", "rendezvous": "收费站"},
    ).json()["id"]
    _seen_everywhere(alerts_cluster, Domain.ALERTS, "reinforcements", request_id)
    _seen_everywhere(alerts_cluster, Domain.ALERTS, "alerts", alert_id)
    return {"alert_id": alert_id, "request_id": request_id}


@pytest.fixture(scope="module")
def notary_ids(notary_cluster):
    """A Qingpu certificate, and a Jiashan proof request held by Wujiang."""
    certificate = (
        notary_cluster.client(Q, Domain.NOTARY, token(Q, Role.NOTARY))
        .post(
            "/certificates",
            json={
                "matter": "declaration",
                "applicant": {"name": "周某", "id_number": id_number()},
                "document_sha256": sha("d"),
            },
        )
        .json()["number"]
    )
    request_id = (
        notary_cluster.client(J, Domain.NOTARY, token(J, Role.NOTARY))
        .post(
            "/proof-requests",
            json={
                "holding_region": "wujiang",
                "proof_type": "education",
                "subject_name": "周某",
                "subject_id_number": id_number(),
                "purpose": "p",
                "application_ref": "a",
            },
        )
        .json()["id"]
    )
    _seen_everywhere(notary_cluster, Domain.NOTARY, "certificates", certificate)
    _seen_everywhere(notary_cluster, Domain.NOTARY, "proof_requests", request_id)
    return {"number": certificate, "request_id": request_id}


@pytest.fixture(scope="module")
def procuratorate_ids(procuratorate_cluster):
    """A Qingpu referral to Wujiang with a material Qingpu holds, a Jiashan request for Wujiang's
    assistance, and a joint case led by Wujiang with Jiashan."""
    from tests.e2e.test_procuratorate import procuratorate_records

    ids = procuratorate_records(procuratorate_cluster, _seen_everywhere)
    _PROCURATORATE.update(ids)  # a material's body names its record
    return {**ids, "record_id": ids["referral_id"], "holder_region": "qingpu"}


@pytest.fixture(scope="module")
def enforcement_ids(enforcement_cluster):
    """A Qingpu zone benchmark in force everywhere, and a Jiashan decision outside its range, pending review."""
    from tests.e2e.test_enforcement import enforcement_records

    ids = enforcement_records(enforcement_cluster, _seen_everywhere)
    _ENFORCEMENT.update(ids)  # the bodies name the benchmark's code
    return ids


_ENFORCEMENT: dict[str, str] = {}


def _decision() -> dict:
    from tests.e2e.test_enforcement import CODE, decision_body

    return decision_body(200_000, _ENFORCEMENT.get("code", CODE))  # the fixture's, or the bulk test's own


def _similar() -> dict:
    return {"code": _ENFORCEMENT["code"], "factors": {"exceedance_ratio": 0.2}}


def _benchmark() -> dict:
    from tests.e2e.test_enforcement import benchmark_body

    return benchmark_body("MATRIX-NEW")


def _revision() -> dict:
    from tests.e2e.test_enforcement import benchmark_body

    body = benchmark_body()
    del body["code"]
    return {**body, "reason": "r"}


@pytest.fixture(scope="module")
def corrections_ids(corrections_cluster):
    """Jiashan subjects: one travelling to Qingpu (so Qingpu is involved), one whose travel is to be
    checked in and returned, one whose transfer to Wujiang was rejected."""
    from tests.e2e.test_corrections import enrol

    home = corrections_cluster.client(J, Domain.CORRECTIONS, token(J, Role.CORRECTIONS_OFFICER))
    trip = {
        "destination": "qingpu",
        "from_date": zone_today().isoformat(),
        "to_date": (zone_today() + timedelta(days=5)).isoformat(),
        "reason": "探亲",
    }
    travelling, _ = enrol(corrections_cluster, J, "吴甲", born="19700101", seq="101")
    assert home.post(f"/subjects/{travelling['id']}/travels", json=trip).status_code == 201
    checked, _ = enrol(corrections_cluster, J, "吴乙", born="19700202", seq="202")
    travel_id = home.post(f"/subjects/{checked['id']}/travels", json=trip).json()["id"]
    moving, _ = enrol(corrections_cluster, J, "吴丙", born="19700303", seq="303")
    transfer_id = home.post(
        f"/subjects/{moving['id']}/transfers", json={"destination": "wujiang", "reason": "r"}
    ).json()["id"]
    _seen_everywhere(corrections_cluster, Domain.CORRECTIONS, "transfers", transfer_id)
    rejected = corrections_cluster.client(W, Domain.CORRECTIONS, token(W, Role.CORRECTIONS_OFFICER)).post(
        f"/transfers/{transfer_id}/reject", json={"reason": "r"}
    )
    assert rejected.status_code == 200, rejected.text
    _seen_everywhere(corrections_cluster, Domain.CORRECTIONS, "transfers", transfer_id, "status = 'rejected'")
    _seen_everywhere(corrections_cluster, Domain.CORRECTIONS, "travels", travel_id)
    _seen_everywhere(corrections_cluster, Domain.CORRECTIONS, "subjects", travelling["id"], "status = 'travelling'")
    return {
        "subject_id": travelling["id"],
        "travel_id": travel_id,
        "transfer_id": transfer_id,
        "lookup_number": id_number(born="19700101", seq="101"),
    }


def _violation() -> dict:
    return {"kind": "other", "occurred_at": datetime.now(UTC).isoformat(), "place": "p", "details": "d"}


_PEOPLE = itertools.count()


_PROCURATORATE: dict[str, str] = {}  # the fixture's records, for bodies that name one


def _subject() -> dict:
    # A different person each call (an enrolled person cannot be enrolled again), also within one millisecond.
    born = date(1980, 1, 1) + timedelta(days=(int(datetime.now(UTC).timestamp() * 1000) + next(_PEOPLE)) % 7000)
    seq = "471"
    return {
        "id_number": id_number(born=born.strftime("%Y%m%d"), seq=seq),
        "name": "郑某",
        "gender": "male",
        "birth_date": born.isoformat(),
        "correction_type": "control",
        "sentence_summary": "s",
        "judgment_effective_date": zone_today().isoformat(),
        "start_date": zone_today().isoformat(),
        "end_date": (zone_today() + timedelta(days=30)).isoformat(),
        "supervising_office": "o",
        "risk_level": "low",
        "residence_address": "a",
    }


def _alert() -> dict:
    from tests.e2e.alert_data import alert_body

    return alert_body(severity="IV")


ENDPOINTS: dict[Domain, list[Endpoint]] = {
    Domain.FILING: [
        Endpoint("POST", "/v1/filings", "filing.submit", own_instance, body=filing_body),
        Endpoint("GET", "/v1/filings", "filing.read", any_grant),
        Endpoint("GET", "/v1/filings/{filing_id}", "filing.read", reads("qingpu", lambda a: a == "jiashan")),
        Endpoint(
            "GET",
            "/v1/filings/{filing_id}/parties",
            "filing.read_parties",
            reads("jiashan", lambda a: a == "qingpu"),
            purpose="case-review",
            held_at="jiashan",
        ),
        Endpoint("POST", "/v1/filings/{filing_id}/accept", "filing.decide", writes("qingpu")),
        Endpoint(
            "POST", "/v1/filings/{filing_id}/reject", "filing.decide", writes("qingpu"), body=lambda: {"reason": "r"}
        ),
        Endpoint(
            "POST",
            "/v1/filings/{filing_id}/request-correction",
            "filing.decide",
            writes("qingpu"),
            body=lambda: {"missing_items": ["x"], "deadline": (zone_today() + timedelta(days=9)).isoformat()},
        ),
        Endpoint(
            "POST",
            "/v1/filings/{filing_id}/resubmit",
            "filing.request",
            writes("qingpu", lambda i: i == "jiashan"),
            body=lambda: {"documents": [{"name": "n", "sha256": sha("x")}]},
        ),
        Endpoint(
            "POST",
            "/v1/filings/{filing_id}/withdraw",
            "filing.request",
            writes("qingpu", lambda i: i == "jiashan"),
            body=lambda: {"reason": "r"},
        ),
        Endpoint("GET", "/v1/audit", "audit.read", own_instance, purpose="audit-review"),
    ],
    Domain.ALERTS: [
        Endpoint("POST", "/v1/alerts", "alerts.raise", own_instance, body=_alert),
        Endpoint("GET", "/v1/alerts", "alerts.read", any_grant),
        Endpoint("GET", "/v1/reinforcement-requests", "alerts.read", any_grant),
        Endpoint("GET", "/v1/alerts/{alert_id}", "alerts.read", reads("wujiang", lambda a: a != "wujiang")),
        Endpoint(
            "POST", "/v1/alerts/{alert_id}/ack", "alerts.acknowledge", writes("wujiang", lambda i: i != "wujiang")
        ),
        Endpoint(
            "POST",
            "/v1/alerts/{alert_id}/sightings",
            "alerts.report_sighting",
            writes("wujiang", lambda i: i != "wujiang"),
            body=lambda: {
                "seen_at": datetime.now(UTC).isoformat(),
                "details": "d",
                "location": {"lat": 31, "lon": 121, "address": "a"},
            },
        ),
        Endpoint(
            "POST",
            "/v1/alerts/{alert_id}/reinforcement-requests",
            "alerts.manage",
            writes("wujiang"),
            body=lambda: {"to_region": "qingpu", "units": 1, "kind": "k", "rendezvous": "r"},
        ),
        Endpoint(
            "POST",
            "/v1/reinforcement-requests/{request_id}/respond",
            "alerts.answer_reinforcement",
            writes("wujiang", lambda i: i == "jiashan"),
            body=lambda: {"outcome": "declined", "reason": "r"},
        ),
        Endpoint(
            "PATCH", "/v1/alerts/{alert_id}", "alerts.manage", writes("wujiang"), body=lambda: {"description": "更新"}
        ),
        Endpoint(
            "POST",
            "/v1/alerts/{alert_id}/close",
            "alerts.manage",
            writes("wujiang"),
            body=lambda: {"outcome": "resolved"},
        ),
        Endpoint("GET", "/v1/audit", "audit.read", own_instance, purpose="audit-review"),
    ],
    Domain.NOTARY: [
        Endpoint(
            "POST",
            "/v1/certificates",
            "notary.issue",
            own_instance,
            body=lambda: {
                "matter": "birth",
                "applicant": {"name": "n", "id_number": id_number()},
                "document_sha256": sha("b"),
            },
        ),
        Endpoint("GET", "/v1/certificates", "notary.read", any_grant),
        Endpoint("GET", "/v1/certificates/{number}", "notary.read", reads("qingpu")),
        Endpoint(
            "POST", "/v1/certificates/{number}/revoke", "notary.revoke", writes("qingpu"), body=lambda: {"reason": "r"}
        ),
        Endpoint(
            "POST",
            "/v1/certificates/{number}/reissue",
            "notary.reissue",
            writes("qingpu"),
            body=lambda: {"reason": "r"},
        ),
        Endpoint(
            "GET",
            "/v1/certificates/{number}/applicant",
            "notary.read_applicant",
            reads("qingpu"),
            purpose="notarization",
            held_at="qingpu",
        ),
        Endpoint(
            "POST",
            "/v1/verifications",
            "notary.verify",
            own_instance,
            body=lambda: {"certificate_number": "(2026)沪青浦证字第1号", "document_sha256": sha("b")},
        ),
        Endpoint("GET", "/v1/verifications", "notary.read", any_grant),
        Endpoint(
            "POST",
            "/v1/proof-requests",
            "notary.request_proof",
            own_instance,
            body=lambda: {
                "holding_region": "qingpu",
                "proof_type": "kinship",
                "subject_name": "n",
                "subject_id_number": id_number(),
                "purpose": "p",
                "application_ref": "a",
            },
        ),
        Endpoint("GET", "/v1/proof-requests", "notary.read_proofs", any_grant),
        Endpoint(
            "GET", "/v1/proof-requests/{request_id}", "notary.read_proofs", reads("jiashan", lambda a: a == "wujiang")
        ),
        Endpoint(
            "GET",
            "/v1/proof-requests/{request_id}/subject",
            "notary.read_proof_subject",
            reads("jiashan", lambda a: a == "wujiang"),
            purpose="notarization",
            held_at="jiashan",
        ),
        Endpoint(
            "GET",
            "/v1/proof-requests/{request_id}/document",
            "notary.read_proof_document",
            reads("wujiang", lambda a: a == "jiashan"),  # held by the answering office, read by the requester
            purpose="notarization",
            held_at="wujiang",
        ),
        Endpoint(
            "POST",
            "/v1/proof-requests/{request_id}/respond",
            "notary.answer_proof",
            writes("wujiang"),  # the answer is the holding region's own record
            body=lambda: {"outcome": "refused", "reason": "r"},
        ),
        Endpoint("GET", "/v1/audit", "audit.read", own_instance, purpose="audit-review"),
    ],
    Domain.PROCURATORATE: [
        Endpoint(
            "POST",
            "/v1/referrals",
            "procuratorate.refer",
            own_instance,
            body=lambda: {"to_region": "jiashan", "title": "t", "summary": "s", "offence": "criminal"},
        ),
        Endpoint("GET", "/v1/referrals", "procuratorate.read", any_grant),
        Endpoint("GET", "/v1/referrals/{referral_id}", "procuratorate.read", reads("qingpu", lambda a: a == "wujiang")),
        Endpoint(
            "POST",
            "/v1/referrals/{referral_id}/decision",
            "procuratorate.decide_referral",
            writes("wujiang"),  # the receiver's decision
            body=lambda: {"outcome": "declined", "reasons": "r"},
        ),
        Endpoint(
            "POST",
            "/v1/assistance-requests",
            "procuratorate.request_assistance",
            own_instance,
            body=lambda: {
                "asked_region": "qingpu",
                "kind": "records",
                "subject": "s",
                "due_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            },
        ),
        Endpoint("GET", "/v1/assistance-requests", "procuratorate.read", any_grant),
        Endpoint(
            "GET",
            "/v1/assistance-requests/{request_id}",
            "procuratorate.read",
            reads("jiashan", lambda a: a == "wujiang"),
        ),
        Endpoint(
            "POST",
            "/v1/assistance-requests/{request_id}/assignment",
            "procuratorate.assign_assistance",
            writes("wujiang"),
            body=lambda: {"assignee": "wujiang-prosecutor"},
        ),
        Endpoint(
            "POST",
            "/v1/assistance-requests/{request_id}/answer",
            "procuratorate.answer_assistance",
            writes("wujiang"),
            body=lambda: {"results": "r"},
        ),
        Endpoint(
            "POST",
            "/v1/joint-cases",
            "procuratorate.open_joint_case",
            own_instance,
            body=lambda: {"title": "t", "matter": "m", "participants": ["jiashan"]},
        ),
        Endpoint("GET", "/v1/joint-cases", "procuratorate.read", any_grant),
        Endpoint("GET", "/v1/joint-cases/{case_id}", "procuratorate.read", reads("wujiang", lambda a: a == "jiashan")),
        Endpoint(
            "POST",
            "/v1/joint-cases/{case_id}/findings",
            "procuratorate.contribute",
            writes("wujiang", lambda instance: instance == "jiashan"),
            body=lambda: {"summary": "s"},
        ),
        Endpoint(
            "POST",
            "/v1/joint-cases/{case_id}/steps",
            "procuratorate.decide_step",
            writes("wujiang"),  # the lead decides
            body=lambda: {"step": "pre_litigation_notice", "note": "n"},
        ),
        Endpoint(
            "POST",
            "/v1/materials",
            "procuratorate.register_material",
            writes("qingpu", lambda instance: instance == "wujiang"),  # a party to the referral, at its instance
            body=lambda: {
                "record_id": _PROCURATORATE["referral_id"],
                "name": "n.txt",
                "content_type": "text/plain",
                "classification": "internal",
                "content_base64": "bWF0ZXJpYWw=",
            },
        ),
        Endpoint("GET", "/v1/materials", "procuratorate.read", any_grant),
        Endpoint("GET", "/v1/materials/{material_id}", "procuratorate.read", reads("qingpu", lambda a: a == "wujiang")),
        Endpoint(
            "GET",
            "/v1/materials/{material_id}/content",
            "procuratorate.read_material",
            reads("qingpu", lambda a: a == "wujiang"),
            purpose="prosecution",
            held_at="qingpu",
        ),
        Endpoint(
            "GET",
            "/v1/texts/{record_id}/{holder_region}",  # the referral's title and summary, Qingpu's
            "procuratorate.read_text",
            reads("qingpu", lambda a: a == "wujiang"),
            purpose="prosecution",
            held_at="qingpu",
        ),
        Endpoint(
            "GET",
            "/v1/evidence/{record_id}",
            "procuratorate.export_evidence",
            reads("qingpu", lambda a: a == "wujiang"),
            held_at="qingpu",  # signed by the sender's instance: no other instance exports it
        ),
        Endpoint("GET", "/v1/audit", "audit.read", own_instance, purpose="audit-review"),
    ],
    Domain.CORRECTIONS: [
        Endpoint("POST", "/v1/subjects", "corrections.enrol", own_instance, body=_subject),
        Endpoint(
            "POST",
            "/v1/subjects/lookup",
            "corrections.lookup",
            own_instance,
            purpose="supervision",
            body=lambda: {"id_number": id_number(born="19700101", seq="101")},
        ),
        Endpoint("GET", "/v1/subjects", "corrections.read", any_grant),
        Endpoint("GET", "/v1/travels", "corrections.read", any_grant),
        Endpoint("GET", "/v1/transfers", "corrections.read", any_grant),
        Endpoint("GET", "/v1/subjects/{subject_id}", "corrections.read", reads("jiashan", lambda a: a == "qingpu")),
        Endpoint(
            "PATCH",
            "/v1/subjects/{subject_id}",
            "corrections.manage",
            writes("jiashan"),
            body=lambda: {"risk_level": "high"},
        ),
        Endpoint(
            "GET",
            "/v1/subjects/{subject_id}/detail",
            "corrections.read_detail",
            reads("jiashan", lambda a: a == "qingpu"),
            purpose="supervision",
            held_at="jiashan",
        ),
        Endpoint("POST", "/v1/subjects/{subject_id}/report-in", "corrections.manage", writes("jiashan")),
        Endpoint("POST", "/v1/subjects/{subject_id}/release", "corrections.manage", writes("jiashan")),
        Endpoint(
            "POST",
            "/v1/subjects/{subject_id}/travels",
            "corrections.manage",
            writes("jiashan"),
            body=lambda: {
                "destination": "wujiang",
                "from_date": zone_today().isoformat(),
                "to_date": zone_today().isoformat(),
                "reason": "r",
            },
        ),
        Endpoint(
            "POST",
            "/v1/travels/{travel_id}/check-in",
            "corrections.destination",
            writes("jiashan", lambda i: i == "qingpu"),
        ),
        Endpoint("POST", "/v1/travels/{travel_id}/return", "corrections.manage", writes("jiashan")),
        Endpoint(
            "POST",
            "/v1/travels/{travel_id}/cancel",
            "corrections.manage",
            writes("jiashan"),
            body=lambda: {"reason": "r"},
        ),
        Endpoint(
            "POST",
            "/v1/subjects/{subject_id}/transfers",
            "corrections.manage",
            writes("jiashan"),
            body=lambda: {"destination": "wujiang", "reason": "r"},
        ),
        Endpoint(
            "POST",
            "/v1/transfers/{transfer_id}/accept",
            "corrections.destination",
            writes("jiashan", lambda i: i == "wujiang"),
            purpose="transfer-handover",
            body=lambda: {"supervising_office": "o"},
        ),
        Endpoint(
            "POST",
            "/v1/transfers/{transfer_id}/withdraw",
            "corrections.manage",
            writes("jiashan"),
            body=lambda: {"reason": "r"},
        ),
        Endpoint(
            "POST",
            "/v1/transfers/{transfer_id}/reject",
            "corrections.destination",
            writes("jiashan", lambda i: i == "wujiang"),
            body=lambda: {"reason": "r"},
        ),
        Endpoint(
            "POST",
            "/v1/subjects/{subject_id}/violations",
            "corrections.report_violation",
            writes("jiashan"),
            body=_violation,
        ),
        Endpoint("GET", "/v1/audit", "audit.read", own_instance, purpose="audit-review"),
    ],
    Domain.ENFORCEMENT: [
        Endpoint("POST", "/v1/benchmarks", "enforcement.propose_benchmark", own_instance, body=_benchmark),
        Endpoint("GET", "/v1/benchmarks", "enforcement.read", any_grant),
        Endpoint(
            "GET",
            "/v1/benchmarks/in-force",
            "enforcement.read",
            any_grant,
            params={"code": "X1", "on": "2026-11-01", "region": "qingpu"},
        ),
        Endpoint("GET", "/v1/benchmarks/{benchmark_id}", "enforcement.read", reads("qingpu")),
        Endpoint(
            "POST",
            "/v1/benchmarks/{benchmark_id}/revisions",
            "enforcement.propose_benchmark",
            writes("qingpu"),
            body=_revision,
        ),
        Endpoint(
            "POST",
            "/v1/benchmarks/{benchmark_id}/votes",
            "enforcement.vote_benchmark",
            own_instance,
            body=lambda: {"version": 1, "vote": "approve"},
        ),
        Endpoint("POST", "/v1/decisions", "enforcement.decide", own_instance, body=_decision),
        Endpoint("GET", "/v1/decisions", "enforcement.read", any_grant),
        Endpoint("GET", "/v1/decisions/{decision_id}", "enforcement.read", reads("jiashan")),
        Endpoint(
            "GET",
            "/v1/decisions/{decision_id}/party",
            "enforcement.read_party",
            reads("jiashan"),
            purpose="law-enforcement",
            held_at="jiashan",
        ),
        Endpoint(
            "POST",
            "/v1/decisions/{decision_id}/sign-off",
            "enforcement.sign_off",
            writes("jiashan"),
            body=lambda: {"outcome": "approved", "note": "n"},
        ),
        Endpoint("POST", "/v1/similar-cases", "enforcement.read", any_grant, body=_similar),
        Endpoint("GET", "/v1/consistency", "enforcement.read", any_grant, params={"month": "2026-11"}),
        Endpoint("GET", "/v1/audit", "audit.read", own_instance, purpose="audit-review"),
    ],
}
# The bulk routes (`…/batch`): the same action and scope as the single POST they take lines of.
BULK = {
    "/v1/filings",
    "/v1/alerts",
    "/v1/alerts/{alert_id}/sightings",
    "/v1/subjects",
    "/v1/certificates",
    "/v1/proof-requests",
    "/v1/referrals",
    "/v1/assistance-requests",
    "/v1/joint-cases",
    "/v1/decisions",
}
for _endpoints in ENDPOINTS.values():
    _endpoints += [
        replace(e, path=e.path + "/batch", ndjson=True) for e in _endpoints if e.method == "POST" and e.path in BULK
    ]
    # Every instance's day in numbers (shared/entrypoints/daily_api.py): aggregates, for the zone's page.
    _endpoints.append(Endpoint("GET", "/v1/daily", "ops.console", own_instance, params={"date": "2026-12-01"}))
TOKENS = {
    (region, role): token(region, role, agency=AGENCY if role is Role.AGENCY_SYSTEM else None)
    for region in Region
    for role in Role
}
CLUSTERS = {
    Domain.FILING: ("filing_cluster", "filing_ids"),
    Domain.ALERTS: ("alerts_cluster", "alert_ids"),
    Domain.NOTARY: ("notary_cluster", "notary_ids"),
    Domain.ENFORCEMENT: ("enforcement_cluster", "enforcement_ids"),
    Domain.CORRECTIONS: ("corrections_cluster", "corrections_ids"),
    Domain.PROCURATORATE: ("procuratorate_cluster", "procuratorate_ids"),
}


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_table_covers_every_v1_operation(request, service):
    cluster = request.getfixturevalue(CLUSTERS[service][0])
    spec = cluster.openapi(service)
    served = {(m.upper(), p) for p, ops in spec["paths"].items() if p.startswith("/v1") for m in ops}
    assert served == {(e.method, e.path) for e in ENDPOINTS[service]}
    assert {e.action for e in ENDPOINTS[service]} <= set(POLICY)


@pytest.mark.parametrize(
    ("service", "endpoint"),
    [(s, e) for s, es in ENDPOINTS.items() for e in es],
    ids=lambda v: v.value if isinstance(v, Domain) else f"{v.method} {v.path}",
)
def test_policy_on_every_endpoint(request, service, endpoint):
    cluster = request.getfixturevalue(CLUSTERS[service][0])
    ids = request.getfixturevalue(CLUSTERS[service][1])
    path = endpoint.path.format(**ids).removeprefix("/v1")
    wrong = []
    clients = {instance: cluster.client(instance, service) for instance in Region}
    for role, acting, instance in itertools.product(Role, Region, Region):
        headers = {"authorization": f"Bearer {TOKENS[(acting, role)]}"}
        if endpoint.purpose:
            headers["x-purpose"] = endpoint.purpose
        body = endpoint.body() if endpoint.body else None
        status, answer = _call(clients[instance], endpoint, path, body, headers)
        may = expected(role, endpoint, acting.value, instance.value)
        if may and status in (401, 403):
            wrong.append(f"{role.value}@{acting.value} at {instance.value}: {status}, expected allowed")
        elif not may and status != 403:
            wrong.append(f"{role.value}@{acting.value} at {instance.value}: {status}, expected 403")
        elif not may and set(answer) - {"type", "title", "status", "detail", "instance"}:
            wrong.append(f"{role.value}@{acting.value} at {instance.value}: a denial carried record fields")
    assert not wrong, "\n".join(wrong[:20])


def _call(client, endpoint: Endpoint, path: str, body: Any, headers: dict[str, str]) -> tuple[int, dict]:
    """The status and body a caller gets; for a bulk route, those of its one line's result."""
    if not endpoint.ndjson:
        response = client.request(endpoint.method, path, json=body, headers=headers, params=endpoint.params or None)
        return response.status_code, response.json()
    ndjson = {**headers, "content-type": "application/x-ndjson"}
    response = client.request(endpoint.method, path, content=orjson.dumps(body), headers=ndjson)
    if response.status_code != 200:
        return response.status_code, response.json()
    line = orjson.loads(response.content.splitlines()[0])
    return line["status"], line.get("problem") or {"id": line.get("id")}
