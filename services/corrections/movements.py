"""Travel (外出), transfer (执行地变更) and violations: the home region approves and decides; a
destination checks travellers in and accepts or rejects transfers at its own instance."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from services.corrections import domain
from services.corrections import store as db
from services.corrections.domain import CorrectionRuleError, Move, SubjectStatus
from services.corrections.models import ApproveTravel, ReportViolation, RequestTransfer
from services.corrections.ownership import SUBJECT
from services.corrections.queries import load, view
from services.corrections.rows import SubjectRow, TransferRow, TravelRow
from services.corrections.service import authorize_owner, moved, start_travel
from shared.contracts import corrections as ev
from shared.contracts.ids import new_id
from shared.contracts.problems import conflict, invalid, not_found
from shared.contracts.regions import zone_today
from shared.core.uow import UnitOfWork, now

MovementRow = TypeVar("MovementRow", TravelRow, TransferRow)


def _known(row: MovementRow | None, what: str) -> MovementRow:
    """The trip or transfer, if this region knows more of it than a stub (its destination); else 404."""
    if row is None or row["destination"] is None:
        raise not_found(what)
    return row


def _travel(uow: UnitOfWork, travel_id: str) -> TravelRow:
    return _known(db.get_travel(uow.conn, travel_id), "travel")


def _transfer(uow: UnitOfWork, transfer_id: str) -> TransferRow:
    return _known(db.get_transfer(uow.conn, transfer_id), "transfer")


def _authorize_destination(uow: UnitOfWork, subject: SubjectRow, destination: str | None) -> None:
    uow.access.authorize_write("corrections.destination", SUBJECT, subject, involved=uow.region.value == destination)


def approve_travel(uow: UnitOfWork, subject_id: str, body: ApproveTravel) -> TravelRow | None:
    subject = load(uow, subject_id)
    authorize_owner(uow, subject)
    today = zone_today()
    ends = date.fromisoformat(subject["end_date"]) if subject["end_date"] else None
    try:
        domain.check_travel(SUBJECT.owner(subject), body.destination.value, body.from_date, body.to_date, today, ends)
    except CorrectionRuleError as error:
        raise invalid(error.field, str(error)) from None
    moved(subject, Move.APPROVE_TRAVEL)
    data = ev.TravelApproved(
        subject_id=subject_id,
        version=subject["version"] + 1,
        travel_id=new_id(),
        destination=body.destination.value,
        from_date=body.from_date,
        to_date=body.to_date,
        approved_at=now(),
    )
    uow.emit(ev.TRAVEL_APPROVED, subject_id, data)
    if domain.travel_started(body.from_date, today):
        start_travel(uow, subject_id, data.version, data.travel_id)
    return db.get_travel(uow.conn, data.travel_id)


def check_in(uow: UnitOfWork, travel_id: str) -> TravelRow | None:
    travel = _travel(uow, travel_id)
    subject = load(uow, travel["subject_id"])
    _authorize_destination(uow, subject, travel["destination"])
    if travel["status"] != "approved":
        raise conflict(f"the travel is {travel['status']}", travel["status"])
    if not domain.check_in_open(
        date.fromisoformat(travel["from_date"]), date.fromisoformat(travel["to_date"]), zone_today()
    ):
        raise conflict(
            f"check-in is open from {travel['from_date']} to {travel['to_date']}, the approved dates", travel["status"]
        )
    data = ev.TravelCheckedIn(subject_id=subject["id"], travel_id=travel_id, checked_in_at=now())
    uow.emit(ev.TRAVEL_CHECKED_IN, subject["id"], data)
    return db.get_travel(uow.conn, travel_id)


def record_return(uow: UnitOfWork, travel_id: str) -> TravelRow | None:
    travel = _travel(uow, travel_id)
    subject = load(uow, travel["subject_id"])
    authorize_owner(uow, subject)
    moved(subject, Move.RETURN)
    data = ev.TravelReturned(
        subject_id=subject["id"], version=subject["version"] + 1, travel_id=travel_id, returned_at=now()
    )
    uow.emit(ev.TRAVEL_RETURNED, subject["id"], data)
    return db.get_travel(uow.conn, travel_id)


def _taken_back(uow: UnitOfWork, row: TravelRow | TransferRow, what: str, open_status: str, move: Move) -> SubjectRow:
    """The subject whose trip or transfer its home region takes back: only while it is still `open_status`."""
    subject = load(uow, row["subject_id"])
    authorize_owner(uow, subject)
    if row["status"] != open_status:
        raise conflict(f"the {what} is {row['status']}", row["status"])
    moved(subject, move)
    return subject


def cancel_travel(uow: UnitOfWork, travel_id: str, reason: str) -> TravelRow | None:
    """The home region withdraws an approved trip that has not begun."""
    # 409 once it has begun: then its return is recorded instead
    subject = _taken_back(uow, _travel(uow, travel_id), "travel", "approved", Move.CANCEL_TRAVEL)
    data = ev.TravelCancelled(
        subject_id=subject["id"], version=subject["version"] + 1, travel_id=travel_id, reason=reason, cancelled_at=now()
    )
    uow.emit(ev.TRAVEL_CANCELLED, subject["id"], data)
    return db.get_travel(uow.conn, travel_id)


def request_transfer(uow: UnitOfWork, subject_id: str, body: RequestTransfer) -> TransferRow | None:
    subject = load(uow, subject_id)
    authorize_owner(uow, subject)
    if body.destination.value == SUBJECT.owner(subject):
        raise invalid("destination", "a transfer goes to another region")
    moved(subject, Move.REQUEST_TRANSFER)
    data = ev.TransferRequested(
        subject_id=subject_id,
        version=subject["version"] + 1,
        transfer_id=new_id(),
        destination=body.destination.value,
        requested_at=now(),
    )
    uow.emit(ev.TRANSFER_REQUESTED, subject_id, data)
    return db.get_transfer(uow.conn, data.transfer_id)


def pending_transfer(uow: UnitOfWork, transfer_id: str) -> dict[str, Any]:
    """The transfer a destination is about to decide, checked before its officer fetches the record."""
    transfer = _transfer(uow, transfer_id)
    subject = load(uow, transfer["subject_id"])
    _authorize_destination(uow, subject, transfer["destination"])
    if transfer["status"] != "pending":
        raise conflict(f"the transfer is {transfer['status']}", transfer["status"])
    return {"subject_id": subject["id"], "home_region": SUBJECT.owner(subject)}


def accept_transfer(
    uow: UnitOfWork, transfer_id: str, record: dict[str, Any], supervising_office: str
) -> TransferRow | None:
    """Accept, keeping the full record fetched from the home region under this region's supervising office:
    ownership moves here once the home region has seen the acceptance."""
    subject_id = pending_transfer(uow, transfer_id)["subject_id"]
    kept = {k: v for k, v in record.items() if k not in ("subject_id", "home_region", "violations")}
    kept["supervising_office"] = supervising_office
    db.save_details(uow.conn, subject_id, kept)
    for violation in record.get("violations") or []:  # kept whole: some may not have arrived here yet
        db.upsert(uow.conn, "violations", {**violation, "subject_id": subject_id})
    data = ev.TransferAccepted(subject_id=subject_id, transfer_id=transfer_id, accepted_at=now())
    uow.emit(ev.TRANSFER_ACCEPTED, subject_id, data)
    return db.get_transfer(uow.conn, transfer_id)


def reject_transfer(uow: UnitOfWork, transfer_id: str, reason: str) -> TransferRow | None:
    subject_id = pending_transfer(uow, transfer_id)["subject_id"]
    data = ev.TransferRejected(subject_id=subject_id, transfer_id=transfer_id, reason=reason, rejected_at=now())
    uow.emit(ev.TRANSFER_REJECTED, subject_id, data)
    return db.get_transfer(uow.conn, transfer_id)


def withdraw_transfer(uow: UnitOfWork, transfer_id: str, reason: str) -> TransferRow | None:
    """The home region withdraws its request while the destination has not decided."""
    subject = _taken_back(uow, _transfer(uow, transfer_id), "transfer", "pending", Move.WITHDRAW_TRANSFER)
    data = ev.TransferWithdrawn(
        subject_id=subject["id"],
        version=subject["version"] + 1,
        transfer_id=transfer_id,
        reason=reason,
        withdrawn_at=now(),
    )
    uow.emit(ev.TRANSFER_WITHDRAWN, subject["id"], data)
    return db.get_transfer(uow.conn, transfer_id)


def report_violation(uow: UnitOfWork, subject_id: str, body: ReportViolation) -> dict[str, Any]:
    subject = load(uow, subject_id)
    uow.access.authorize_write("corrections.report_violation", SUBJECT, subject)
    if subject["status"] == SubjectStatus.RELEASED:
        raise conflict("the subject has been released from correction", subject["status"])
    data = ev.ViolationReported(
        violation_id=new_id(),
        subject_id=subject_id,
        kind=body.kind,
        occurred_at=body.occurred_at,
        place=body.place,
        details=body.details,
    )
    uow.emit(ev.VIOLATION_REPORTED, subject_id, data)
    return view(uow, subject_id)
