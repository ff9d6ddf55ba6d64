"""The filing read model: one function per event type, applied to every region's events alike (this
region's own when it emits them, others' when they arrive). State changes are gated by the owner's
version, so the model converges whatever order events arrive in; the rest adds to the timeline."""

from __future__ import annotations

from typing import Any

from services.filing import store as db
from services.filing.domain import FilingStatus
from shared.adapters import records
from shared.contracts import filing as ev
from shared.contracts.envelope import Event
from shared.core.route import Table
from shared.core.uow import UnitOfWork


def _timeline(uow: UnitOfWork, event: Event, detail: dict[str, Any]) -> None:
    records.add_timeline(uow.conn, event, event.data.filing_id, detail)


def submitted(uow: UnitOfWork, event: Event) -> None:
    data: ev.Submitted = event.data
    details = data.model_dump(exclude={"version", "party_hashes"})
    details["id"] = details.pop("filing_id")
    details.update(status=FilingStatus.SUBMITTED.value, version=data.version, agency=event.agency)
    db.upsert_details(uow.conn, details)
    db.add_party_hashes(uow.conn, data.filing_id, data.party_hashes)
    _timeline(uow, event, {"court_region": data.court_region, "case_type": data.case_type.value})


def received(uow: UnitOfWork, event: Event) -> None:
    data: ev.Received = event.data
    fields = {"received_at": data.received_at, "decision_due": data.decision_due}
    db.apply_state(uow.conn, data.filing_id, data.version, FilingStatus.RECEIVED, **fields)
    _timeline(uow, event, {"decision_due": data.decision_due.isoformat()})


def accepted(uow: UnitOfWork, event: Event) -> None:
    data: ev.Accepted = event.data
    fields = {"docket_number": data.docket_number, "decided_at": data.accepted_at}
    db.apply_state(uow.conn, data.filing_id, data.version, FilingStatus.ACCEPTED, **fields)
    _timeline(uow, event, {"docket_number": data.docket_number})


def rejected(uow: UnitOfWork, event: Event) -> None:
    data: ev.Rejected = event.data
    fields = {"reason": data.reason, "decided_at": data.rejected_at}
    db.apply_state(uow.conn, data.filing_id, data.version, FilingStatus.REJECTED, **fields)
    _timeline(uow, event, {"reason": data.reason})


def correction_requested(uow: UnitOfWork, event: Event) -> None:
    data: ev.CorrectionRequested = event.data
    fields = {"missing_items": data.missing_items, "correction_deadline": data.deadline.isoformat()}
    db.apply_state(uow.conn, data.filing_id, data.version, FilingStatus.CORRECTION_REQUESTED, **fields)
    _timeline(uow, event, {"missing_items": data.missing_items, "deadline": data.deadline.isoformat()})


def resubmitted(uow: UnitOfWork, event: Event) -> None:
    data: ev.Resubmitted = event.data
    fields = {
        "documents": [d.model_dump() for d in data.documents],
        "decision_due": data.decision_due,
        "overdue_flagged": 0,
    }
    db.apply_state(uow.conn, data.filing_id, data.version, FilingStatus.RESUBMITTED, **fields)
    _timeline(uow, event, {"documents": len(data.documents), "decision_due": data.decision_due.isoformat()})


def withdrawn(uow: UnitOfWork, event: Event) -> None:
    data: ev.Withdrawn = event.data
    fields = {"reason": data.reason, "decided_at": data.withdrawn_at}
    db.apply_state(uow.conn, data.filing_id, data.version, FilingStatus.WITHDRAWN, **fields)
    _timeline(uow, event, {"reason": data.reason})


def resubmission_requested(uow: UnitOfWork, event: Event) -> None:
    _timeline(uow, event, {"documents": len(event.data.documents)})


def withdrawal_requested(uow: UnitOfWork, event: Event) -> None:
    _timeline(uow, event, {"reason": event.data.reason})


def withdrawal_refused(uow: UnitOfWork, event: Event) -> None:
    _timeline(uow, event, {"status": event.data.status})


def decision_overdue(uow: UnitOfWork, event: Event) -> None:
    db.mark_overdue(uow.conn, event.data.filing_id)
    _timeline(uow, event, {"decision_due": event.data.decision_due.isoformat()})


def correction_lapsed(uow: UnitOfWork, event: Event) -> None:
    db.mark_lapsed(uow.conn, event.data.filing_id)
    _timeline(uow, event, {"deadline": event.data.deadline.isoformat()})


PROJECTION: Table = {
    ev.SUBMITTED: submitted,
    ev.RECEIVED: received,
    ev.ACCEPTED: accepted,
    ev.REJECTED: rejected,
    ev.CORRECTION_REQUESTED: correction_requested,
    ev.RESUBMITTED: resubmitted,
    ev.WITHDRAWN: withdrawn,
    ev.RESUBMISSION_REQUESTED: resubmission_requested,
    ev.WITHDRAWAL_REQUESTED: withdrawal_requested,
    ev.WITHDRAWAL_REFUSED: withdrawal_refused,
    ev.DECISION_OVERDUE: decision_overdue,
    ev.CORRECTION_LAPSED: correction_lapsed,
}
