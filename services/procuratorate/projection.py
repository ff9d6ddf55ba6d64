"""The procuratorate read models: one function per event type, applied to every region's events alike.
A record's parties (who may read it, its texts and its materials) come from the event that created it.
The events carry texts by their SHA-256 only: so do the read models."""

from __future__ import annotations

from typing import Any

import orjson

from services.procuratorate import receipts
from services.procuratorate import store as db
from shared.adapters import records
from shared.contracts import procuratorate as ev
from shared.contracts.envelope import Event
from shared.contracts.procuratorate import Step
from shared.core.route import Table
from shared.core.uow import UnitOfWork


def _timeline(uow: UnitOfWork, event: Event, record: str, detail: dict[str, Any]) -> None:
    records.add_timeline(uow.conn, event, record, detail)


def referral_sent(uow: UnitOfWork, event: Event) -> None:
    data: ev.ReferralSent = event.data
    values = {
        "id": data.referral_id,
        "from_region": event.region.value,
        "content_sha256": receipts.content_hash(data),
        **data.model_dump(exclude={"referral_id"}),
    }
    records.merge(uow.conn, "referrals", values, keep=("status",))
    db.add_parties(uow.conn, data.referral_id, [event.region.value, data.to_region])
    _timeline(uow, event, data.referral_id, {"to_region": data.to_region, "offence": data.offence.value})


def referral_decided(uow: UnitOfWork, event: Event) -> None:
    data: ev.ReferralDecided = event.data
    fields = {"status": data.outcome, "case_number": data.case_number, "reasons_sha256": data.reasons_sha256}
    records.merge(uow.conn, "referrals", {"id": data.referral_id, **fields, "decided_at": data.decided_at})
    _timeline(uow, event, data.referral_id, {"outcome": data.outcome, "case_number": data.case_number})


def referral_overdue(uow: UnitOfWork, event: Event) -> None:
    data: ev.ReferralOverdue = event.data
    records.merge(uow.conn, "referrals", {"id": data.referral_id, "overdue_flagged": 1})
    _timeline(uow, event, data.referral_id, {"due_at": data.due_at.isoformat()})


def assistance_requested(uow: UnitOfWork, event: Event) -> None:
    data: ev.AssistanceRequested = event.data
    values = {
        "id": data.request_id,
        "requesting_region": event.region.value,
        "content_sha256": receipts.content_hash(data),
        **data.model_dump(exclude={"request_id"}),
    }
    records.merge(uow.conn, "assistance", values, keep=("status",))
    db.add_parties(uow.conn, data.request_id, [event.region.value, data.asked_region])
    _timeline(uow, event, data.request_id, {"asked_region": data.asked_region, "kind": data.kind.value})


def assistance_assigned(uow: UnitOfWork, event: Event) -> None:
    data: ev.AssistanceAssigned = event.data
    db.assign(uow.conn, data.request_id, data.assignee, data.assigned_at)
    _timeline(uow, event, data.request_id, {"assignee": data.assignee})


def assistance_answered(uow: UnitOfWork, event: Event) -> None:
    data: ev.AssistanceAnswered = event.data
    answer = {
        "id": data.request_id,
        "status": "answered",
        "results_sha256": data.results_sha256,
        "material_ids": orjson.dumps(data.material_ids).decode(),
        "answered_at": data.answered_at,
    }
    records.merge(uow.conn, "assistance", answer)
    _timeline(uow, event, data.request_id, {"materials": len(data.material_ids)})


def assistance_overdue(uow: UnitOfWork, event: Event) -> None:
    data: ev.AssistanceOverdue = event.data
    records.merge(uow.conn, "assistance", {"id": data.request_id, "overdue_flagged": 1})
    _timeline(uow, event, data.request_id, {"due_at": data.due_at.isoformat()})


def joint_case_opened(uow: UnitOfWork, event: Event) -> None:
    data: ev.JointCaseOpened = event.data
    values = {
        "id": data.case_id,
        "lead_region": event.region.value,
        "title": data.title,
        "matter": data.matter,
        "participants": orjson.dumps(data.participants).decode(),
        "opened_at": data.opened_at,
    }
    records.merge(uow.conn, "joint_cases", values, keep=("status", "step", "step_at"))
    db.add_parties(uow.conn, data.case_id, [event.region.value, *data.participants])
    _timeline(uow, event, data.case_id, {"participants": data.participants})


def finding_contributed(uow: UnitOfWork, event: Event) -> None:
    data: ev.FindingContributed = event.data
    finding = {
        "id": data.finding_id,
        "case_id": data.case_id,
        "region": event.region.value,
        "summary_sha256": data.summary_sha256,
        "material_ids": orjson.dumps(data.material_ids).decode(),
        "contributed_at": data.contributed_at,
    }
    records.insert(uow.conn, "findings", finding, or_ignore=True)
    _timeline(uow, event, data.case_id, {"finding_id": data.finding_id, "materials": len(data.material_ids)})


def step_decided(uow: UnitOfWork, event: Event) -> None:
    data: ev.StepDecided = event.data
    status = "closed" if data.step is Step.CLOSED else "open"
    db.decide_step(uow.conn, data.case_id, data.step.value, status, data.decided_at)
    step = {"id": data.step_id, "case_id": data.case_id, "step": data.step.value, "note_sha256": data.note_sha256}
    records.insert(uow.conn, "steps", {**step, "decided_at": data.decided_at}, or_ignore=True)
    _timeline(uow, event, data.case_id, {"step": data.step.value, "step_id": data.step_id})


def material_registered(uow: UnitOfWork, event: Event) -> None:
    data: ev.MaterialRegistered = event.data
    values = {"id": data.material_id, **data.model_dump(exclude={"material_id"})}
    records.insert(uow.conn, "materials", values, or_ignore=True)
    _timeline(uow, event, data.record_id, {"material_id": data.material_id, "holder": data.holder_region})


def receipt_issued(uow: UnitOfWork, event: Event) -> None:
    data: ev.ReceiptIssued = event.data
    db.add_receipt(uow.conn, data.model_dump(mode="json"))
    detail = {"receipt": data.kind.value, "recipient_region": data.recipient_region}
    _timeline(uow, event, data.record_id, detail)


def receipt_overdue(uow: UnitOfWork, event: Event) -> None:
    data: ev.ReceiptOverdue = event.data
    db.flag_receipt(uow.conn, data.record_id, data.recipient_region, data.missing.value, event.region.value)
    detail = {"missing": data.missing.value, "recipient_region": data.recipient_region}
    _timeline(uow, event, data.record_id, detail)


PROJECTION: Table = {
    ev.REFERRAL_SENT: referral_sent,
    ev.REFERRAL_DECIDED: referral_decided,
    ev.REFERRAL_OVERDUE: referral_overdue,
    ev.ASSISTANCE_REQUESTED: assistance_requested,
    ev.ASSISTANCE_ASSIGNED: assistance_assigned,
    ev.ASSISTANCE_ANSWERED: assistance_answered,
    ev.ASSISTANCE_OVERDUE: assistance_overdue,
    ev.JOINT_CASE_OPENED: joint_case_opened,
    ev.FINDING_CONTRIBUTED: finding_contributed,
    ev.STEP_DECIDED: step_decided,
    ev.MATERIAL_REGISTERED: material_registered,
    ev.RECEIPT_ISSUED: receipt_issued,
    ev.RECEIPT_OVERDUE: receipt_overdue,
}
