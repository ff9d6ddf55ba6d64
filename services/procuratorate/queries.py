"""Procuratorate queries: records as the API shows them (with their receipts, timeline and the texts they
have, by holder and hash; the route fills in those the reader may read), the lists,
and the evidence of a record's deliveries as the sender exports it."""

from __future__ import annotations

from typing import Any

from services.procuratorate import receipts, texts
from services.procuratorate import store as db
from services.procuratorate.ownership import ASSISTANCE, JOINT_CASE, MATERIAL, REFERRAL
from services.procuratorate.rows import AssistanceRow, JointCaseRow, MaterialRow, ReferralRow, SignedReceipt
from shared.adapters import records
from shared.contracts.problems import invalid, not_found
from shared.core.uow import UnitOfWork


def load_referral(uow: UnitOfWork, referral_id: str) -> ReferralRow:
    return REFERRAL.known(db.referral(uow.conn, referral_id))


def load_assistance(uow: UnitOfWork, request_id: str) -> AssistanceRow:
    return ASSISTANCE.known(db.assistance(uow.conn, request_id))


def load_case(uow: UnitOfWork, case_id: str) -> JointCaseRow:
    return JOINT_CASE.known(db.joint_case(uow.conn, case_id))


def load_material(uow: UnitOfWork, material_id: str) -> MaterialRow:
    return MATERIAL.known(db.material(uow.conn, material_id))


def referral_evidence(referral: ReferralRow) -> dict[str, Any]:
    return receipts.evidence_record("referral", referral["id"], referral["from_region"], referral["content_sha256"])


def assistance_evidence(request: AssistanceRow) -> dict[str, Any]:
    sender, digest = request["requesting_region"], request["content_sha256"]
    return receipts.evidence_record("assistance", request["id"], sender, digest)


def material_evidence(material: MaterialRow) -> dict[str, Any]:
    return receipts.evidence_record("material", material["id"], material["holder_region"], material["sha256"])


def _texts(*entries: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [e for e in entries if e is not None]


def referral_view(uow: UnitOfWork, referral_id: str) -> dict[str, Any]:
    referral = load_referral(uow, referral_id)
    sender, receiver = referral["from_region"], referral["to_region"]
    return {
        **referral,
        "texts": _texts(
            texts.entry("title", sender, referral["title_sha256"]),
            texts.entry("summary", sender, referral["summary_sha256"]),
            texts.entry("reasons", receiver, referral["reasons_sha256"]),
        ),
        "receipts": db.receipts(uow.conn, referral_id),
        "timeline": records.timeline(uow.conn, referral_id),
    }


def assistance_view(uow: UnitOfWork, request_id: str) -> dict[str, Any]:
    request = load_assistance(uow, request_id)
    return {
        **request,
        "texts": _texts(
            texts.entry("subject", request["requesting_region"], request["subject_sha256"]),
            texts.entry("results", request["asked_region"], request["results_sha256"]),
        ),
        "receipts": db.receipts(uow.conn, request_id),
        "timeline": records.timeline(uow.conn, request_id),
    }


def case_view(uow: UnitOfWork, case_id: str) -> dict[str, Any]:
    case = load_case(uow, case_id)
    findings, steps = db.findings(uow.conn, case_id), db.steps(uow.conn, case_id)
    return {
        **case,
        "findings": findings,
        "steps": steps,
        "texts": _texts(
            *(texts.entry(f"finding:{f['id']}", f["region"], f["summary_sha256"]) for f in findings),
            *(texts.entry(f"step:{s['id']}", case["lead_region"], s["note_sha256"]) for s in steps),
        ),
        "timeline": records.timeline(uow.conn, case_id),
    }


def material_view(uow: UnitOfWork, material_id: str) -> dict[str, Any]:
    return {**load_material(uow, material_id), "receipts": db.receipts(uow.conn, material_id)}


def read_case(uow: UnitOfWork, case_id: str) -> dict[str, Any]:
    uow.access.authorize_read("procuratorate.read", JOINT_CASE, load_case(uow, case_id))
    return case_view(uow, case_id)


def parent_of(uow: UnitOfWork, record_id: str) -> dict[str, Any]:
    """The referral, request or case a material is registered for: its id and owning region."""
    for load, kind in ((db.referral, REFERRAL), (db.assistance, ASSISTANCE), (db.joint_case, JOINT_CASE)):
        record = load(uow.conn, record_id)
        if record is not None and record.get(kind.owner_field) is not None:
            return {"id": record_id, "owner_region": kind.owner(record)}
    raise not_found("referral, assistance request or joint case")


def check_materials(uow: UnitOfWork, record_id: str, material_ids: list[str]) -> None:
    """Materials named with an answer or a finding are registered for that record."""
    for material_id in material_ids:
        material = db.material(uow.conn, material_id)
        if material is None or material["record_id"] != record_id:
            raise invalid("material_ids", f"{material_id} is no material registered for {record_id}")


def evidence_of(uow: UnitOfWork, record_id: str) -> tuple[dict[str, Any], list[SignedReceipt]]:
    """The record (as evidence names it) and its receipts, for the sender's export: read by the sender."""
    for load, kind, describe in (
        (db.referral, REFERRAL, referral_evidence),
        (db.assistance, ASSISTANCE, assistance_evidence),
        (db.material, MATERIAL, material_evidence),
    ):
        record = load(uow.conn, record_id)
        if record is not None and record.get(kind.owner_field) is not None:
            uow.access.authorize_read("procuratorate.export_evidence", kind, record)
            return describe(record), db.receipts(uow.conn, record_id)
    raise not_found("referral, assistance request or material")


LISTS = {
    "referrals": ("referred_at", REFERRAL),
    "assistance": ("requested_at", ASSISTANCE),
    "joint_cases": ("opened_at", JOINT_CASE),
    "materials": ("registered_at", MATERIAL),
}


def search(uow: UnitOfWork, table: str, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of a list, the rows this principal may read (the others' rows are filtered out)."""
    uow.access.require_any_grant("procuratorate.read")
    order, kind = LISTS[table]
    given = {column: value for column, value in filters.items() if value is not None}
    result = db.search(uow.conn, table, given, order, limit, cursor)
    return {**result, "items": uow.access.readable("procuratorate.read", kind, result["items"])}
