"""Subject commands: enrolment, report-in, release, and the home region's scanner (overdue report-ins,
trips whose first day has come). Movements (travel, transfer, violations) are in movements.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.corrections import domain
from services.corrections import store as db
from services.corrections.config import Config
from services.corrections.domain import InvalidMove, Move, SubjectStatus
from services.corrections.ownership import SUBJECT
from services.corrections.queries import load, view
from services.corrections.rows import SubjectRow
from shared.contracts import corrections as ev
from shared.contracts.commands import Enrol
from shared.contracts.ids import new_id
from shared.contracts.problems import conflict
from shared.contracts.regions import zone_today
from shared.core.uow import UnitOfWork, now
from shared.rules.identity import keyed_hash, mask_id, mask_name


def authorize_owner(uow: UnitOfWork, subject: SubjectRow, action: str = "corrections.manage") -> None:
    uow.access.authorize_write(action, SUBJECT, subject, involved=False)  # the home region's acts alone


def moved(subject: SubjectRow, move: Move) -> SubjectStatus:
    """The status after `move`, or 409 naming the current one."""
    try:
        return domain.next_status(move, SubjectStatus(subject["status"]))
    except InvalidMove as error:
        raise conflict(str(error), subject["status"]) from None


def enrol(uow: UnitOfWork, body: Enrol, config: Config) -> dict[str, Any]:
    subject_id = new_id()
    uow.access.authorize_write("corrections.enrol", record_id=subject_id)
    id_hash = keyed_hash(body.id_number, config.id_hash_key)
    if existing := db.active_by_hash(uow.conn, id_hash):
        raise conflict(
            f"already under community correction (subject {existing['id']}, home region {existing['home_region']})"
        )
    profile = ev.Profile(
        subject_id=subject_id,
        home_region=uow.region.value,
        name_masked=mask_name(body.name),
        id_masked=mask_id(body.id_number),
        id_hash=id_hash,
        correction_type=body.correction_type,
        start_date=body.start_date,
        end_date=body.end_date,
        risk_level=body.risk_level,
        status=SubjectStatus.ENROLLED.value,
    )
    due = domain.report_in_due(body.judgment_effective_date, config.enrol_report_in_seconds)
    uow.emit(ev.ENROLLED, subject_id, ev.Enrolled(version=1, profile=profile, report_in_due=due))
    db.save_details(uow.conn, subject_id, body.model_dump(mode="json"))
    return view(uow, subject_id)


def report_in(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    subject = load(uow, subject_id)
    authorize_owner(uow, subject)
    moved(subject, Move.REPORT_IN)
    uow.emit(
        ev.REPORTED_IN,
        subject_id,
        ev.ReportedIn(subject_id=subject_id, version=subject["version"] + 1, reported_at=now()),
    )
    return view(uow, subject_id)


def update(uow: UnitOfWork, subject_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The home region changes the record it holds; the event names the changed fields and carries a new
    value only where the shared profile shows it (the risk level)."""
    subject = load(uow, subject_id)
    authorize_owner(uow, subject)
    if subject["status"] == SubjectStatus.RELEASED:
        raise conflict("the subject has been released from correction", subject["status"])
    record = db.details(uow.conn, subject_id) or {}
    changed = sorted(k for k, v in changes.items() if record.get(k) != v)
    if not changed:
        return view(uow, subject_id)  # nothing differs: nothing to tell anyone
    db.save_details(uow.conn, subject_id, {**record, **changes})
    data = ev.SubjectUpdated(
        subject_id=subject_id,
        version=subject["version"] + 1,
        changed=changed,
        risk_level=changes["risk_level"] if "risk_level" in changed else None,
        status=subject["status"],
        updated_at=now(),
    )
    uow.emit(ev.SUBJECT_UPDATED, subject_id, data)
    return view(uow, subject_id)


def release(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    subject = load(uow, subject_id)
    authorize_owner(uow, subject)
    moved(subject, Move.RELEASE)
    uow.emit(
        ev.RELEASED,
        subject_id,
        ev.Released(subject_id=subject_id, version=subject["version"] + 1, released_at=now()),
    )
    return view(uow, subject_id)


def scan(uow: UnitOfWork) -> None:
    """Home region: a report-in not made by its deadline raises report-in-overdue, once."""
    at = now()
    for row in db.report_ins_overdue(uow.conn, uow.region.value, at):
        data = ev.ReportInOverdue(
            subject_id=row["id"], report_in_due=datetime.fromisoformat(row["report_in_due"]), detected_at=at
        )
        uow.emit(ev.REPORT_IN_OVERDUE, row["id"], data)
    scan_travels(uow, zone_today())


def scan_travels(uow: UnitOfWork, today: date) -> None:
    """Home region: approved trips whose first day has come begin; a trip past its last day without a
    recorded return raises travel-overdue, once."""
    for trip in db.travels_starting(uow.conn, uow.region.value, today):
        start_travel(uow, trip["subject_id"], trip["version"], trip["travel_id"])
    for trip in db.travels_overdue(uow.conn, uow.region.value, today):
        to_date = date.fromisoformat(trip["to_date"])
        if domain.travel_overdue(trip["status"], to_date, today):
            data = ev.TravelOverdue(
                subject_id=trip["subject_id"], travel_id=trip["travel_id"], to_date=to_date, detected_at=now()
            )
            uow.emit(ev.TRAVEL_OVERDUE, trip["subject_id"], data)


def start_travel(uow: UnitOfWork, subject_id: str, version: int, travel_id: str) -> None:
    """Home region: an approved trip's first day has come (at approval, or found by the scanner)."""
    data = ev.TravelStarted(subject_id=subject_id, version=version + 1, travel_id=travel_id, started_at=now())
    uow.emit(ev.TRAVEL_STARTED, subject_id, data)
