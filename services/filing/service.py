"""Filing commands: what a clerk's or officer's command does, as one unit of work (routes call these;
reactions share `apply_change`). The rules themselves are in domain.py; what the events do to the read
model is in projection.py."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from services.filing import domain
from services.filing import store as db
from services.filing.domain import Action, FilingStatus
from services.filing.metrics import TIME_TO_DECISION
from services.filing.models import RequestCorrection, Resubmit, Withdraw
from services.filing.ownership import FILING
from services.filing.queries import load
from services.filing.rows import FilingRow, PartyRow
from shared.contracts import filing as ev
from shared.contracts.commands import SubmitFiling
from shared.contracts.ids import new_id
from shared.contracts.problems import conflict
from shared.contracts.regions import REGIONS, Region, zone_date, zone_today
from shared.core.uow import UnitOfWork, now
from shared.rules.identity import keyed_hash, mask_id, mask_name


@dataclass(frozen=True)
class Config:
    decision_seconds: int  # the 7-day rule (YRD_FILING_DECISION_SECONDS)
    id_hash_key: bytes  # the zone's key for keyed hashes of ID numbers


def _require(action: Action, filing: FilingRow) -> None:
    """409 naming the current state, unless `action` is allowed from it."""
    try:
        domain.next_status(action, FilingStatus(filing["status"]), bool(filing.get("correction_lapsed")))
    except domain.InvalidTransition as refused:
        raise conflict(str(refused), refused.current.value) from None


def submit(uow: UnitOfWork, body: SubmitFiling, id_hash_key: bytes) -> dict[str, Any]:
    uow.access.authorize_write("filing.submit")
    here = uow.region.value
    filing_id = new_id()
    at = now()
    full: list[PartyRow] = [
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
        filed_by=uow.access.principal.subject,
        party_hashes=sorted({keyed_hash(p["identifier"], id_hash_key) for p in full if p["kind"] == "person"}),
    )
    uow.emit(ev.SUBMITTED, filing_id, data)  # at the court region itself, received at once (reactions)
    db.add_parties(uow.conn, filing_id, full)
    code = domain.new_filing_code(secrets.randbits)
    db.add_code(uow.conn, filing_id, keyed_hash(domain.normalized_code(code), id_hash_key))
    return {**db.get(uow.conn, filing_id), "filing_code": code}  # shown once: only its hash is kept


def decide(uow: UnitOfWork, filing_id: str, action: Action, body: Any = None) -> FilingRow:
    filing = load(uow, filing_id)
    uow.access.authorize_write("filing.decide", FILING, filing)
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
        uow.emit(
            ev.ACCEPTED,
            filing_id,
            ev.Accepted(filing_id=filing_id, version=version, docket_number=number, accepted_at=at),
        )
    elif action is Action.REJECT:
        uow.emit(
            ev.REJECTED,
            filing_id,
            ev.Rejected(filing_id=filing_id, version=version, reason=body.reason, rejected_at=at),
        )
    else:
        assert isinstance(body, RequestCorrection)
        uow.emit(
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
    if filing["submitted_at"]:
        waited = (at - datetime.fromisoformat(filing["submitted_at"])).total_seconds()
        uow.after_commit(partial(TIME_TO_DECISION.labels(uow.region.value, action.value).observe, max(waited, 0)))
    return load(uow, filing_id)  # as it stands now


def request_change(
    uow: UnitOfWork, filing_id: str, action: Action, body: Resubmit | Withdraw, decision_seconds: int
) -> FilingRow:
    """Resubmission or withdrawal: applied by the court region, requested by the receiving region."""
    filing = load(uow, filing_id)
    uow.access.authorize_write("filing.request", FILING, filing)
    _require(action, filing)
    at = now()
    if FILING.owned_by(filing, uow.region):
        apply_change(uow, filing, action, body, decision_seconds)
    elif action is Action.RESUBMIT:
        data = ev.ResubmissionRequested(filing_id=filing_id, documents=body.documents, requested_at=at)
        uow.emit(ev.RESUBMISSION_REQUESTED, filing_id, data)
    else:
        data = ev.WithdrawalRequested(filing_id=filing_id, reason=body.reason, requested_at=at)
        uow.emit(ev.WITHDRAWAL_REQUESTED, filing_id, data)
    return load(uow, filing_id)  # as it stands now


def apply_change(uow: UnitOfWork, filing: FilingRow, action: Action, body: Any, decision_seconds: int) -> None:
    """The court region applies a resubmission or withdrawal, or refuses a withdrawal that came too late."""
    filing_id, version, at = filing["id"], filing["version"] + 1, now()
    current = FilingStatus(filing["status"])
    if action is Action.RESUBMIT:
        if not domain.can(action, current):
            return  # a late duplicate request: the state already moved on, and the timeline shows the request
        due = domain.decision_due(at, decision_seconds)
        data = ev.Resubmitted(
            filing_id=filing_id, version=version, documents=body.documents, resubmitted_at=at, decision_due=due
        )
        uow.emit(ev.RESUBMITTED, filing_id, data)
    elif domain.can(action, current):
        data = ev.Withdrawn(filing_id=filing_id, version=version, reason=body.reason, withdrawn_at=at)
        uow.emit(ev.WITHDRAWN, filing_id, data)
    else:
        data = ev.WithdrawalRefused(filing_id=filing_id, status=current.value, refused_at=at)
        uow.emit(ev.WITHDRAWAL_REFUSED, filing_id, data)


def scan_lapsed_corrections(uow: UnitOfWork, today: date | None = None) -> None:
    """Court region: each correction whose deadline passed without a resubmission lapses, once."""
    today = today or zone_today()
    for filing in db.due_for_lapse(uow.conn, uow.region.value, today):
        deadline = date.fromisoformat(filing["correction_deadline"])
        if domain.correction_lapsed(FilingStatus(filing["status"]), deadline, today):
            data = ev.CorrectionLapsed(filing_id=filing["id"], deadline=deadline, detected_at=now())
            uow.emit(ev.CORRECTION_LAPSED, filing["id"], data)


def scan_overdue(uow: UnitOfWork) -> None:
    """Court region: flag each filing past its 7-day decision deadline, once."""
    at = now()
    for filing in db.due_for_overdue(uow.conn, uow.region.value, at):
        data = ev.DecisionOverdue(filing_id=filing["id"], decision_due=filing["decision_due"], detected_at=at)
        uow.emit(ev.DECISION_OVERDUE, filing["id"], data)
