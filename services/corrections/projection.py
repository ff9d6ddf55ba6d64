"""The corrections read model: one function per event type, applied to every region's events alike (the
home region's own when it emits them, others' when they arrive). Subject state is gated by the home's
version; travel facts come from two regions and only move forward."""

from __future__ import annotations

from typing import Any

from services.corrections import store as db
from services.corrections.domain import SubjectStatus
from services.corrections.ownership import SUBJECT
from shared.adapters import records
from shared.contracts import corrections as ev
from shared.contracts.envelope import Event
from shared.core.route import Table
from shared.core.uow import UnitOfWork

TRAVEL_ORDER = {"approved": 1, "checked_in": 2, "returned": 3, "cancelled": 3}
# A transfer is decided once: the destination answers, but the home's withdrawal prevails over an answer
# crossing it, so every region ends with the same decision whatever order the events arrive in.
TRANSFER_ORDER = {"pending": 0, "accepted": 1, "rejected": 1, "withdrawn": 2}


def subject_of(event: Event) -> str:
    """The subject an event is about, from its payload (an enrolment carries it in the profile)."""
    data = event.data
    return data.profile.subject_id if event.type is ev.ENROLLED else data.subject_id


def _timeline(uow: UnitOfWork, event: Event, detail: dict[str, Any]) -> None:
    records.add_timeline(uow.conn, event, subject_of(event), detail)


def _state(uow: UnitOfWork, event: Event, status: SubjectStatus, **fields: Any) -> None:
    records.apply_versioned(uow.conn, "subjects", subject_of(event), event.data.version, status=status, **fields)


def _travel(uow: UnitOfWork, event: Event, status: str, **fields: Any) -> None:
    """Travel facts come from two regions; a travel's status only ever moves forward."""
    travel_id = event.data.travel_id
    current = db.get_travel(uow.conn, travel_id)
    keep = ("status",) if current and TRAVEL_ORDER[current["status"]] >= TRAVEL_ORDER[status] else ()
    values = {"id": travel_id, "subject_id": subject_of(event), "status": status, **fields}
    db.upsert(uow.conn, "travels", values, keep=keep)


def enrolled(uow: UnitOfWork, event: Event) -> None:
    data: ev.Enrolled = event.data
    profile = data.profile.model_dump(exclude={"subject_id"})
    values = {
        "id": data.profile.subject_id,
        "version": data.version,
        **profile,
        "enrolled_at": event.time,
        "report_in_due": data.report_in_due,
    }
    records.create_versioned(uow.conn, "subjects", values)
    _timeline(
        uow, event, {"home_region": data.profile.home_region, "correction_type": data.profile.correction_type.value}
    )


def reported_in(uow: UnitOfWork, event: Event) -> None:
    _state(uow, event, SubjectStatus.REPORTED_IN)
    _timeline(uow, event, {})


def travel_approved(uow: UnitOfWork, event: Event) -> None:
    data: ev.TravelApproved = event.data
    _state(uow, event, SubjectStatus.TRAVEL_APPROVED)
    dates = {"destination": data.destination, "from_date": data.from_date, "to_date": data.to_date}
    _travel(uow, event, "approved", **dates, approved_at=data.approved_at)
    _timeline(uow, event, {"destination": data.destination, "from": str(data.from_date), "to": str(data.to_date)})


def travel_started(uow: UnitOfWork, event: Event) -> None:
    _state(uow, event, SubjectStatus.TRAVELLING)
    _timeline(uow, event, {"travel_id": event.data.travel_id})


def travel_checked_in(uow: UnitOfWork, event: Event) -> None:
    _travel(uow, event, "checked_in", checked_in_at=event.data.checked_in_at)
    _timeline(uow, event, {"travel_id": event.data.travel_id})


def travel_returned(uow: UnitOfWork, event: Event) -> None:
    _state(uow, event, SubjectStatus.UNDER_SUPERVISION)
    _travel(uow, event, "returned", returned_at=event.data.returned_at)
    _timeline(uow, event, {"travel_id": event.data.travel_id})


def travel_cancelled(uow: UnitOfWork, event: Event) -> None:
    data: ev.TravelCancelled = event.data
    _state(uow, event, SubjectStatus.UNDER_SUPERVISION)
    _travel(uow, event, "cancelled", cancelled_at=data.cancelled_at, reason=data.reason)
    _timeline(uow, event, {"travel_id": data.travel_id, "reason": data.reason})


def travel_overdue(uow: UnitOfWork, event: Event) -> None:
    data: ev.TravelOverdue = event.data
    db.flag_travel_overdue(uow.conn, data.travel_id)
    _timeline(uow, event, {"travel_id": data.travel_id, "to_date": data.to_date.isoformat()})


def transfer_requested(uow: UnitOfWork, event: Event) -> None:
    data: ev.TransferRequested = event.data
    _state(uow, event, SubjectStatus.TRANSFER_PENDING)
    transfer = {
        "id": data.transfer_id,
        "subject_id": subject_of(event),
        "status": "pending",
        "from_region": event.region.value,
        "destination": data.destination,
        "requested_at": data.requested_at,
    }
    db.upsert(uow.conn, "transfers", transfer, keep=("status",))
    _timeline(uow, event, {"destination": data.destination})


def _decide(uow: UnitOfWork, decision: dict[str, Any]) -> None:
    current = db.get_transfer(uow.conn, decision["id"])
    if current is None or TRANSFER_ORDER[current["status"]] < TRANSFER_ORDER[decision["status"]]:
        db.upsert(uow.conn, "transfers", decision)


def transfer_accepted(uow: UnitOfWork, event: Event) -> None:
    data: ev.TransferAccepted = event.data
    decision = {
        "id": data.transfer_id,
        "subject_id": subject_of(event),
        "status": "accepted",
        "decided_at": data.accepted_at,
    }
    _decide(uow, decision)
    _timeline(uow, event, {"transfer_id": data.transfer_id})


def transfer_rejected(uow: UnitOfWork, event: Event) -> None:
    data: ev.TransferRejected = event.data
    decision = {
        "id": data.transfer_id,
        "subject_id": subject_of(event),
        "status": "rejected",
        "decided_at": data.rejected_at,
        "reason": data.reason,
    }
    _decide(uow, decision)
    # A refusal is the destination's fact; every region derives the same status from it.
    pending = {"id": subject_of(event), "status": SubjectStatus.TRANSFER_PENDING}
    records.update(uow.conn, "subjects", pending, status=SubjectStatus.UNDER_SUPERVISION)
    _timeline(uow, event, {"transfer_id": data.transfer_id})


def transfer_withdrawn(uow: UnitOfWork, event: Event) -> None:
    data: ev.TransferWithdrawn = event.data
    subject_id = subject_of(event)
    _state(uow, event, SubjectStatus.UNDER_SUPERVISION)
    decision = {"id": data.transfer_id, "subject_id": subject_id, "status": "withdrawn", "reason": data.reason}
    _decide(uow, {**decision, "decided_at": data.withdrawn_at})
    if not SUBJECT.owned_by(db.get(uow.conn, subject_id), uow.region):  # a destination that had accepted:
        db.drop_details(uow.conn, subject_id)  # the record it fetched is not its to keep
    _timeline(uow, event, {"transfer_id": data.transfer_id, "reason": data.reason})


def ownership_transferred(uow: UnitOfWork, event: Event) -> None:
    data: ev.OwnershipTransferred = event.data
    fields = {"home_region": data.to_region, "report_in_due": data.report_in_due, "overdue_flagged": 0}
    _state(uow, event, SubjectStatus.ENROLLED, **fields)
    _timeline(uow, event, {"from_region": data.from_region, "to_region": data.to_region})


def report_in_overdue(uow: UnitOfWork, event: Event) -> None:
    records.update(uow.conn, "subjects", {"id": subject_of(event)}, overdue_flagged=1)
    _timeline(uow, event, {"report_in_due": event.data.report_in_due.isoformat()})


def violation_reported(uow: UnitOfWork, event: Event) -> None:
    """Every region learns of a violation; only the home region keeps its details."""
    data: ev.ViolationReported = event.data
    subject = db.get(uow.conn, subject_of(event))
    at_home = SUBJECT.owned_by(subject, uow.region)
    violation = {
        "id": data.violation_id,
        "subject_id": subject_of(event),
        "region": event.region.value,
        "kind": data.kind,
        "occurred_at": data.occurred_at,
        "place": data.place,
        "details": data.details if at_home else None,
    }
    records.insert(uow.conn, "violations", violation, or_ignore=True)
    _timeline(uow, event, {"kind": data.kind, "reported_by": event.region.value})


def subject_updated(uow: UnitOfWork, event: Event) -> None:
    data: ev.SubjectUpdated = event.data
    shared = {"risk_level": data.risk_level} if data.risk_level else {}
    records.apply_versioned(uow.conn, "subjects", data.subject_id, data.version, status=data.status, **shared)
    _timeline(uow, event, {"changed": data.changed})


def record_purged(uow: UnitOfWork, event: Event) -> None:
    """Every region: the profile no longer names or identifies anyone; no region keeps any of the record."""
    data: ev.RecordPurged = event.data
    cleared = {"name_masked": None, "id_masked": None, "id_hash": None}
    records.apply_versioned(uow.conn, "subjects", data.subject_id, data.version, status="released", **cleared)
    db.drop_details(uow.conn, data.subject_id)
    _timeline(uow, event, {"released_at": data.released_at.isoformat()})


def released(uow: UnitOfWork, event: Event) -> None:
    _state(uow, event, SubjectStatus.RELEASED, released_at=event.data.released_at)
    _timeline(uow, event, {})


PROJECTION: Table = {
    ev.ENROLLED: enrolled,
    ev.RECORD_PURGED: record_purged,
    ev.SUBJECT_UPDATED: subject_updated,
    ev.REPORTED_IN: reported_in,
    ev.TRAVEL_APPROVED: travel_approved,
    ev.TRAVEL_STARTED: travel_started,
    ev.TRAVEL_CHECKED_IN: travel_checked_in,
    ev.TRAVEL_RETURNED: travel_returned,
    ev.TRAVEL_CANCELLED: travel_cancelled,
    ev.TRAVEL_OVERDUE: travel_overdue,
    ev.TRANSFER_REQUESTED: transfer_requested,
    ev.TRANSFER_ACCEPTED: transfer_accepted,
    ev.TRANSFER_REJECTED: transfer_rejected,
    ev.TRANSFER_WITHDRAWN: transfer_withdrawn,
    ev.OWNERSHIP_TRANSFERRED: ownership_transferred,
    ev.REPORT_IN_OVERDUE: report_in_overdue,
    ev.VIOLATION_REPORTED: violation_reported,
    ev.RELEASED: released,
}
