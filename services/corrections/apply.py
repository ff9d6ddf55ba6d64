"""Applying corrections events to the read model: the home region's own events when written, every
region's on arrival. The home region also reacts to a destination's acceptance by handing over ownership."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.corrections import domain
from services.corrections import store as db
from services.corrections.domain import Status
from shared import records
from shared.contracts import corrections as ev
from shared.envelope import Event
from shared.uow import UnitOfWork

TRAVEL_ORDER = {"approved": 1, "checked_in": 2, "returned": 3}


def apply(uow: UnitOfWork, event: Event, transfer_report_in_seconds: int = domain.TRANSFER_REPORT_IN_SECONDS) -> None:
    data, conn = event.data, uow.conn
    subject_id = data.profile.subject_id if event.type is ev.ENROLLED else data.subject_id
    detail: dict[str, Any]
    if event.type is ev.ENROLLED:
        profile = data.profile.model_dump(exclude={"subject_id"})
        db.upsert(
            conn,
            "subjects",
            {
                "id": subject_id,
                "version": data.version,
                **profile,
                "enrolled_at": event.time,
                "report_in_due": data.report_in_due,
            },
            keep=("status", "version"),
        )
        detail = {"home_region": data.profile.home_region, "correction_type": data.profile.correction_type.value}
    elif event.type is ev.REPORTED_IN:
        records.apply_versioned(conn, "subjects", subject_id, data.version, status=Status.REPORTED_IN)
        detail = {}
    elif event.type is ev.TRAVEL_APPROVED:
        records.apply_versioned(conn, "subjects", subject_id, data.version, status=Status.TRAVEL_APPROVED)
        _travel(
            conn,
            data.travel_id,
            subject_id,
            "approved",
            destination=data.destination,
            from_date=data.from_date,
            to_date=data.to_date,
            approved_at=data.approved_at,
        )
        detail = {"destination": data.destination, "from": str(data.from_date), "to": str(data.to_date)}
    elif event.type is ev.TRAVEL_STARTED:
        records.apply_versioned(conn, "subjects", subject_id, data.version, status=Status.TRAVELLING)
        detail = {"travel_id": data.travel_id}
    elif event.type is ev.TRAVEL_CHECKED_IN:
        _travel(conn, data.travel_id, subject_id, "checked_in", checked_in_at=data.checked_in_at)
        detail = {"travel_id": data.travel_id}
    elif event.type is ev.TRAVEL_RETURNED:
        records.apply_versioned(conn, "subjects", subject_id, data.version, status=Status.UNDER_SUPERVISION)
        _travel(conn, data.travel_id, subject_id, "returned", returned_at=data.returned_at)
        detail = {"travel_id": data.travel_id}
    elif event.type is ev.TRANSFER_REQUESTED:
        records.apply_versioned(conn, "subjects", subject_id, data.version, status=Status.TRANSFER_PENDING)
        db.upsert(
            conn,
            "transfers",
            {
                "id": data.transfer_id,
                "subject_id": subject_id,
                "status": "pending",
                "from_region": event.region.value,
                "destination": data.destination,
                "requested_at": data.requested_at,
            },
            keep=("status",),
        )
        detail = {"destination": data.destination}
    elif event.type in (ev.TRANSFER_ACCEPTED, ev.TRANSFER_REJECTED):
        accepted = event.type is ev.TRANSFER_ACCEPTED
        db.upsert(
            conn,
            "transfers",
            {
                "id": data.transfer_id,
                "subject_id": subject_id,
                "status": "accepted" if accepted else "rejected",
                "decided_at": data.accepted_at if accepted else data.rejected_at,
                **({} if accepted else {"reason": data.reason}),
            },
        )
        if not accepted:  # a refusal is the destination's fact; every region derives the same status from it
            records.update(
                conn, "subjects", {"id": subject_id, "status": Status.TRANSFER_PENDING}, status=Status.UNDER_SUPERVISION
            )
        detail = {"transfer_id": data.transfer_id}
        subject = db.get(conn, subject_id)
        if accepted and subject and subject["home_region"] == uow.region.value and not uow.replaying:
            _hand_over(uow, subject, data, transfer_report_in_seconds)
    elif event.type is ev.OWNERSHIP_TRANSFERRED:
        records.apply_versioned(
            conn,
            "subjects",
            subject_id,
            data.version,
            status=Status.ENROLLED,
            home_region=data.to_region,
            report_in_due=data.report_in_due,
            overdue_flagged=0,
        )
        detail = {"from_region": data.from_region, "to_region": data.to_region}
    elif event.type is ev.REPORT_IN_OVERDUE:
        records.update(conn, "subjects", {"id": subject_id}, overdue_flagged=1)
        detail = {"report_in_due": data.report_in_due.isoformat()}
    elif event.type is ev.VIOLATION_REPORTED:
        subject = db.get(conn, subject_id)
        at_home = subject is not None and subject["home_region"] == uow.region.value
        records.insert(
            conn,
            "violations",
            {
                "id": data.violation_id,
                "subject_id": subject_id,
                "region": event.region.value,
                "kind": data.kind,
                "occurred_at": data.occurred_at,
                "place": data.place,
                "details": data.details if at_home else None,
            },
            or_ignore=True,
        )
        detail = {"kind": data.kind, "reported_by": event.region.value}
    elif event.type is ev.RELEASED:
        records.apply_versioned(
            conn, "subjects", subject_id, data.version, status=Status.RELEASED, released_at=data.released_at
        )
        detail = {}
    else:
        return
    records.add_timeline(conn, event, subject_id, detail)


def _travel(conn, travel_id: str, subject_id: str, status: str, **fields: Any) -> None:
    """Travel facts come from two regions; a travel's status only ever moves forward."""
    current = db.get_row(conn, "travels", travel_id)
    keep = ("status",) if current and TRAVEL_ORDER[current["status"]] >= TRAVEL_ORDER[status] else ()
    db.upsert(conn, "travels", {"id": travel_id, "subject_id": subject_id, "status": status, **fields}, keep=keep)


def _hand_over(uow: UnitOfWork, subject: dict[str, Any], accepted: ev.TransferAccepted, report_in_seconds: int) -> None:
    """The destination accepted: ownership moves there (it fetched the full record when accepting), this
    region keeps no copy, and the subject must report in at the new place within 7 days."""
    transfer = db.get_row(uow.conn, "transfers", accepted.transfer_id)
    if subject["status"] != Status.TRANSFER_PENDING or transfer is None:
        return
    at = datetime.now(UTC)
    data = ev.OwnershipTransferred(
        subject_id=subject["id"],
        version=subject["version"] + 1,
        transfer_id=accepted.transfer_id,
        from_region=uow.region.value,
        to_region=transfer["destination"],
        transferred_at=at,
        report_in_due=at + timedelta(seconds=report_in_seconds),
    )
    apply(uow, uow.emit(ev.OWNERSHIP_TRANSFERRED, subject["id"], data), report_in_seconds)
    db.drop_details(uow.conn, subject["id"])
    violations = db.violations(uow.conn, subject["id"])
    db.set_violation_details(uow.conn, subject["id"], {v["id"]: None for v in violations})
