"""Filing use cases: what a clerk's or officer's command does, as one unit of work. Routes and event
handlers both call these; the rules themselves are in domain.py."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.filing import domain
from services.filing import store as db
from services.filing.domain import Action, Status
from services.filing.metrics import TIME_TO_DECISION
from services.filing.models import RequestCorrection, Resubmit, SubmitFiling, Withdraw
from shared import records
from shared.auth.policy import DataClass, agencies_of
from shared.contracts import filing as ev
from shared.identity import mask_id, mask_name
from shared.problems import conflict, not_found
from shared.regions import REGIONS, Region, zone_date
from shared.uow import UnitOfWork, now


def _load(uow: UnitOfWork, filing_id: str) -> dict[str, Any]:
    filing = db.get(uow.conn, filing_id)
    if filing is None or filing["court_region"] is None:
        raise not_found("filing")
    return filing


def _require(action: Action, filing: dict[str, Any]) -> None:
    """409 naming the current state, unless `action` is allowed from it."""
    try:
        domain.next_status(action, Status(filing["status"]))
    except domain.InvalidTransition as refused:
        raise conflict(str(refused), refused.current.value) from None


def _timeline(uow: UnitOfWork, event: Any, filing_id: str, detail: dict[str, Any]) -> None:
    records.add_timeline(uow.conn, event, filing_id, detail)


def submit(uow: UnitOfWork, body: SubmitFiling, decision_seconds: int) -> dict[str, Any]:
    uow.authorize_write("filing.submit")
    here = uow.region.value
    filing_id = str(uuid.uuid4())
    at = now()
    full = [
        {
            "role": p.role,
            "kind": p.kind,
            "name": p.name,
            "identifier": p.id_number if p.kind == "person" else p.credit_code,
        }
        for p in body.parties
    ]
    masked = [
        ev.MaskedParty(
            role=p["role"],
            kind=p["kind"],
            name=mask_name(p["name"]) if p["kind"] == "person" else p["name"],
            identifier=mask_id(p["identifier"]) if p["kind"] == "person" else p["identifier"],
        )
        for p in full
    ]
    data = ev.Submitted(
        filing_id=filing_id,
        version=1,
        receiving_region=here,
        court_region=body.court_region.value,
        case_type=body.case_type,
        parties=masked,
        claim_summary=body.claim_summary,
        claim_amount=body.claim_amount,
        documents=body.documents,
        submitted_at=at,
        filed_by=uow.principal.subject,
    )
    event = uow.emit(ev.SUBMITTED, filing_id, data)
    record_submitted(uow, event)
    db.add_parties(uow.conn, filing_id, full)
    if body.court_region == uow.region:
        receive(uow, filing_id, decision_seconds)
    return db.get(uow.conn, filing_id)


def record_submitted(uow: UnitOfWork, event: Any) -> None:
    data: ev.Submitted = event.data
    details = data.model_dump(exclude={"version"})
    details["id"] = details.pop("filing_id")
    details.update(status=Status.SUBMITTED.value, version=data.version, agency=event.agency)
    db.upsert_details(uow.conn, details)
    _timeline(uow, event, data.filing_id, {"court_region": data.court_region, "case_type": data.case_type.value})


def receive(uow: UnitOfWork, filing_id: str, decision_seconds: int) -> None:
    """The court region takes ownership (automatically, on the submission reaching it)."""
    filing = _load(uow, filing_id)
    domain.next_status(Action.RECEIVE, Status(filing["status"]))
    at = now()
    data = ev.Received(
        filing_id=filing_id,
        version=filing["version"] + 1,
        received_at=at,
        decision_due=domain.decision_due(at, decision_seconds),
    )
    apply(uow, uow.emit(ev.RECEIVED, filing_id, data))


def decide(uow: UnitOfWork, filing_id: str, action: Action, body: Any = None) -> dict[str, Any]:
    filing = _load(uow, filing_id)
    uow.authorize_write("filing.decide", filing["court_region"], record=filing_id)
    _require(action, filing)
    if action is Action.REQUEST_CORRECTION:
        try:
            domain.check_one_time_notice(filing["missing_items"] is not None)
        except domain.NoticeAlreadyGiven as refused:
            raise conflict(str(refused), filing["status"]) from None
    version, at = filing["version"] + 1, now()
    if action is Action.ACCEPT:
        court = REGIONS[Region(filing["court_region"])]
        case_type = ev.CaseType(filing["case_type"])
        year = zone_date(at).year  # court calendars are Beijing time
        sequence = db.next_docket_sequence(uow.conn, court.court_code, case_type.value, year)
        number = domain.docket_number(year, court.court_code, case_type, sequence)
        event = uow.emit(
            ev.ACCEPTED,
            filing_id,
            ev.Accepted(filing_id=filing_id, version=version, docket_number=number, accepted_at=at),
        )
    elif action is Action.REJECT:
        event = uow.emit(
            ev.REJECTED,
            filing_id,
            ev.Rejected(filing_id=filing_id, version=version, reason=body.reason, rejected_at=at),
        )
    else:
        assert isinstance(body, RequestCorrection)
        event = uow.emit(
            ev.CORRECTION_REQUESTED,
            filing_id,
            ev.CorrectionRequested(
                filing_id=filing_id,
                version=version,
                missing_items=body.missing_items,
                deadline=body.deadline,
                requested_at=at,
            ),
        )
    apply(uow, event)
    if filing["submitted_at"]:
        waited = (at - datetime.fromisoformat(filing["submitted_at"])).total_seconds()
        TIME_TO_DECISION.labels(uow.region.value, action.value).observe(max(waited, 0))
    return db.get(uow.conn, filing_id)


def request_change(
    uow: UnitOfWork, filing_id: str, action: Action, body: Resubmit | Withdraw, decision_seconds: int
) -> dict[str, Any]:
    """Resubmission or withdrawal: applied by the court region, requested by the receiving region."""
    filing = _load(uow, filing_id)
    involved = uow.region.value == filing["receiving_region"]
    uow.authorize_write(
        "filing.request", filing["court_region"], involved, record=filing_id, agencies=agencies_of(filing)
    )
    _require(action, filing)
    at = now()
    if uow.region.value == filing["court_region"]:
        apply_change(uow, filing, action, body, decision_seconds)
    elif action is Action.RESUBMIT:
        data = ev.ResubmissionRequested(filing_id=filing_id, documents=body.documents, requested_at=at)
        apply(uow, uow.emit(ev.RESUBMISSION_REQUESTED, filing_id, data))
    else:
        data = ev.WithdrawalRequested(filing_id=filing_id, reason=body.reason, requested_at=at)
        apply(uow, uow.emit(ev.WITHDRAWAL_REQUESTED, filing_id, data))
    return db.get(uow.conn, filing_id)


def apply_change(uow: UnitOfWork, filing: dict[str, Any], action: Action, body: Any, decision_seconds: int) -> None:
    """The court region applies a resubmission or withdrawal, or refuses a withdrawal that came too late."""
    filing_id, version, at = filing["id"], filing["version"] + 1, now()
    current = Status(filing["status"])
    if action is Action.RESUBMIT:
        if not domain.can(action, current):
            return  # a late duplicate request: the state already moved on, and the timeline shows the request
        apply(
            uow,
            uow.emit(
                ev.RESUBMITTED,
                filing_id,
                ev.Resubmitted(
                    filing_id=filing_id,
                    version=version,
                    documents=body.documents,
                    resubmitted_at=at,
                    decision_due=domain.decision_due(at, decision_seconds),
                ),
            ),
        )
    elif domain.can(action, current):
        apply(
            uow,
            uow.emit(
                ev.WITHDRAWN,
                filing_id,
                ev.Withdrawn(filing_id=filing_id, version=version, reason=body.reason, withdrawn_at=at),
            ),
        )
    else:
        data = ev.WithdrawalRefused(filing_id=filing_id, status=current.value, refused_at=at)
        apply(uow, uow.emit(ev.WITHDRAWAL_REFUSED, filing_id, data))


def apply(uow: UnitOfWork, event: Any) -> None:
    """Apply any filing event but the submission (see record_submitted) to the read model: own events
    when written, others' on arrival. State changes are version-gated; the rest add to the timeline."""
    data = event.data
    filing_id = data.filing_id
    if event.type is ev.RECEIVED:
        db.apply_state(
            uow.conn,
            filing_id,
            data.version,
            Status.RECEIVED,
            received_at=data.received_at,
            decision_due=data.decision_due,
        )
        detail = {"decision_due": data.decision_due.isoformat()}
    elif event.type is ev.ACCEPTED:
        db.apply_state(
            uow.conn,
            filing_id,
            data.version,
            Status.ACCEPTED,
            docket_number=data.docket_number,
            decided_at=data.accepted_at,
        )
        detail = {"docket_number": data.docket_number}
    elif event.type is ev.REJECTED:
        db.apply_state(
            uow.conn, filing_id, data.version, Status.REJECTED, reason=data.reason, decided_at=data.rejected_at
        )
        detail = {"reason": data.reason}
    elif event.type is ev.CORRECTION_REQUESTED:
        db.apply_state(
            uow.conn,
            filing_id,
            data.version,
            Status.CORRECTION_REQUESTED,
            missing_items=data.missing_items,
            correction_deadline=data.deadline.isoformat(),
        )
        detail = {"missing_items": data.missing_items, "deadline": data.deadline.isoformat()}
    elif event.type is ev.RESUBMITTED:
        db.apply_state(
            uow.conn,
            filing_id,
            data.version,
            Status.RESUBMITTED,
            documents=[d.model_dump() for d in data.documents],
            decision_due=data.decision_due,
            overdue_flagged=0,
        )
        detail = {"documents": len(data.documents), "decision_due": data.decision_due.isoformat()}
    elif event.type is ev.WITHDRAWN:
        db.apply_state(
            uow.conn, filing_id, data.version, Status.WITHDRAWN, reason=data.reason, decided_at=data.withdrawn_at
        )
        detail = {"reason": data.reason}
    elif event.type is ev.RESUBMISSION_REQUESTED:
        detail = {"documents": len(data.documents)}
    elif event.type is ev.WITHDRAWAL_REQUESTED:
        detail = {"reason": data.reason}
    elif event.type is ev.WITHDRAWAL_REFUSED:
        detail = {"status": data.status}
    elif event.type is ev.DECISION_OVERDUE:
        db.mark_overdue(uow.conn, filing_id)
        detail = {"decision_due": data.decision_due.isoformat()}
    else:
        raise ValueError(f"not a filing event apply() handles: {event.type.type}")
    _timeline(uow, event, filing_id, detail)


def read(uow: UnitOfWork, filing_id: str) -> dict[str, Any]:
    filing = _load(uow, filing_id)
    involved = uow.acting_region == filing["receiving_region"]
    uow.authorize_read("filing.read", filing_id, filing["court_region"], involved, agencies_of(filing))
    return {**filing, "timeline": records.timeline(uow.conn, filing_id)}


def read_parties(uow: UnitOfWork, filing_id: str) -> dict[str, Any] | None:
    """Full party detail, held by the receiving region. None: ask the receiving region's instance."""
    filing = _load(uow, filing_id)
    holder = filing["receiving_region"]
    return uow.read_held(
        "filing.read_parties",
        DataClass.FILING_PARTIES,
        filing_id,
        holder,
        involved=uow.acting_region == filing["court_region"],
        read=lambda: {"filing_id": filing_id, "holder_region": holder, "parties": db.parties(uow.conn, filing_id)},
    )


def holder_of(uow: UnitOfWork, filing_id: str) -> str:
    return _load(uow, filing_id)["receiving_region"]


def _readable(uow: UnitOfWork, filing: dict[str, Any]) -> bool:
    involved = uow.acting_region == filing["receiving_region"]
    return uow.may_read("filing.read", filing["court_region"], involved, agencies_of(filing))


def search(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    """Deny a role with no read grant at all; otherwise show the rows its grants cover."""
    uow.require_any_grant("filing.read")
    result = db.search(uow.conn, filters, limit, cursor)
    return {**result, "items": [f for f in result["items"] if _readable(uow, f)]}


def scan_overdue(uow: UnitOfWork) -> None:
    """Court region: flag each filing past its 7-day decision deadline, once."""
    at = now()
    for filing in db.due_for_overdue(uow.conn, uow.region.value, at):
        data = ev.DecisionOverdue(filing_id=filing["id"], decision_due=filing["decision_due"], detected_at=at)
        apply(uow, uow.emit(ev.DECISION_OVERDUE, filing["id"], data))
