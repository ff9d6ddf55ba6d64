"""What the court region decides when a filing event reaches it (its own or another region's): it takes
ownership of a submission addressed to it, and applies the resubmission or withdrawal that the filing's
receiving window asks for. Only the court decides; every other region just shows the events."""

from __future__ import annotations

from services.filing import domain, service
from services.filing import store as db
from services.filing.domain import Action, FilingStatus
from services.filing.ownership import FILING
from shared.contracts import filing as ev
from shared.contracts.envelope import Event
from shared.core.route import Table
from shared.core.uow import UnitOfWork, now


def reactions(decision_seconds: int) -> Table:
    def receive(uow: UnitOfWork, event: Event) -> None:
        """The court region takes ownership of a submission addressed to it, the moment it arrives."""
        # Who owns it is in the event (the owner field never changes): the two regions that only show it
        # do not read the filing back.
        if getattr(event.data, FILING.owner_field) != uow.region.value:
            return
        filing = db.get(uow.conn, event.data.filing_id)  # projected just before this reaction
        if filing is None or not domain.can(Action.RECEIVE, FilingStatus(filing["status"])):
            return
        at = now()
        data = ev.Received(
            filing_id=filing["id"],
            version=filing["version"] + 1,
            received_at=at,
            decision_due=domain.decision_due(at, decision_seconds),
        )
        uow.emit(ev.RECEIVED, filing["id"], data)

    def decide_request(uow: UnitOfWork, event: Event) -> None:
        """A resubmission or withdrawal, applied if it came from the filing's receiving window."""
        filing = db.get(uow.conn, event.data.filing_id)
        if not FILING.owned_by(filing, uow.region) or filing["receiving_region"] != event.region.value:
            return
        action = Action.RESUBMIT if event.type is ev.RESUBMISSION_REQUESTED else Action.WITHDRAW
        service.apply_change(uow, filing, action, event.data, decision_seconds)

    return {
        ev.SUBMITTED: receive,
        ev.RESUBMISSION_REQUESTED: decide_request,
        ev.WITHDRAWAL_REQUESTED: decide_request,
    }
