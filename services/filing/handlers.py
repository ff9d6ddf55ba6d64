"""What other regions' filing events do here. Own events never arrive (they count as processed when
written), so each handler only updates the read model, and the court region reacts to what is its to
decide: taking ownership of submissions, applying resubmission and withdrawal requests."""

from __future__ import annotations

from collections.abc import Callable

from services.filing import service
from services.filing import store as db
from services.filing.domain import Action
from shared import records
from shared.contracts import filing as ev
from shared.envelope import Event
from shared.uow import UnitOfWork

STATE_EVENTS = {ev.RECEIVED, ev.ACCEPTED, ev.REJECTED, ev.CORRECTION_REQUESTED, ev.RESUBMITTED, ev.WITHDRAWN}


def make_handler(decision_seconds: int) -> Callable[[UnitOfWork, Event], None]:
    def handle(uow: UnitOfWork, event: Event) -> None:
        if event.type is ev.SUBMITTED:
            service.record_submitted(uow, event)
            if event.data.court_region == uow.region.value:
                service.receive(uow, event.data.filing_id, decision_seconds)
        elif event.type in STATE_EVENTS:
            service.apply(uow, event)
        elif event.type in (ev.RESUBMISSION_REQUESTED, ev.WITHDRAWAL_REQUESTED):
            _on_request(uow, event, decision_seconds)
        elif event.type in (ev.WITHDRAWAL_REFUSED, ev.DECISION_OVERDUE):
            detail = (
                {"status": event.data.status}
                if event.type is ev.WITHDRAWAL_REFUSED
                else {"decision_due": event.data.decision_due.isoformat()}
            )
            records.add_timeline(uow.conn, event, event.data.filing_id, detail)

    return handle


def _on_request(uow: UnitOfWork, event: Event, decision_seconds: int) -> None:
    data = event.data
    detail = {"documents": len(data.documents)} if event.type is ev.RESUBMISSION_REQUESTED else {"reason": data.reason}
    records.add_timeline(uow.conn, event, data.filing_id, detail)
    filing = db.get(uow.conn, data.filing_id)
    if filing is None or filing["court_region"] != uow.region.value:
        return  # only the court region decides; others just show the request
    if filing["receiving_region"] != event.region.value:
        return  # a request may come only from the filing's receiving window
    action = Action.RESUBMIT if event.type is ev.RESUBMISSION_REQUESTED else Action.WITHDRAW
    service.apply_change(uow, filing, action, data, decision_seconds)
