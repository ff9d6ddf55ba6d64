"""What other regions' filing events do here. Own events never arrive (they count as processed when
written), so each handler only updates the read model, and the court region reacts to what is its to
decide: taking ownership of submissions, applying resubmission and withdrawal requests."""

from __future__ import annotations

from collections.abc import Callable

from services.filing import service
from services.filing import store as db
from services.filing.domain import Action
from shared.contracts import filing as ev
from shared.envelope import Event
from shared.uow import UnitOfWork

REQUESTS = (ev.RESUBMISSION_REQUESTED, ev.WITHDRAWAL_REQUESTED)


def make_handler(decision_seconds: int) -> Callable[[UnitOfWork, Event], None]:
    def handle(uow: UnitOfWork, event: Event) -> None:
        if event.type is ev.SUBMITTED:
            service.record_submitted(uow, event)
            if event.data.court_region == uow.region.value and not uow.replaying:
                service.receive(uow, event.data.filing_id, decision_seconds)
            return
        service.apply(uow, event)
        if event.type in REQUESTS and not uow.replaying:
            _decide_request(uow, event, decision_seconds)

    return handle


def _decide_request(uow: UnitOfWork, event: Event, decision_seconds: int) -> None:
    """The court region applies a resubmission or withdrawal that the filing's receiving window asked for."""
    data = event.data
    filing = db.get(uow.conn, data.filing_id)
    if filing is None or filing["court_region"] != uow.region.value:
        return  # only the court region decides; others just show the request
    if filing["receiving_region"] != event.region.value:
        return  # a request may come only from the filing's receiving window
    action = Action.RESUBMIT if event.type is ev.RESUBMISSION_REQUESTED else Action.WITHDRAW
    service.apply_change(uow, filing, action, data, decision_seconds)
