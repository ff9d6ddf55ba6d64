"""Subject use cases: enrolment, report-in, release, reads (profile everywhere, full record at home or
during an involving travel/transfer), hit/no-hit lookup, and applying every corrections event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.corrections import domain
from services.corrections import store as db
from services.corrections.apply import apply
from services.corrections.domain import InvalidMove, Move, Status
from services.corrections.models import Enrol
from shared import records
from shared.auth.policy import DataClass
from shared.contracts import corrections as ev
from shared.identity import keyed_hash, mask_id, mask_name
from shared.problems import conflict, not_found
from shared.regions import zone_today
from shared.uow import UnitOfWork, now


@dataclass(frozen=True)
class Config:
    id_hash_key: bytes
    enrol_report_in_seconds: int = domain.ENROL_REPORT_IN_SECONDS
    transfer_report_in_seconds: int = domain.TRANSFER_REPORT_IN_SECONDS


def load(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    subject = db.get(uow.conn, subject_id)
    if subject is None or subject["home_region"] is None:
        raise not_found("subject")
    return subject


def authorize_owner(uow: UnitOfWork, subject: dict[str, Any], action: str = "corrections.manage") -> None:
    uow.authorize_write(action, subject["home_region"], record=subject["id"])


def moved(subject: dict[str, Any], move: Move) -> Status:
    """The status after `move`, or 409 naming the current one."""
    try:
        return domain.next_status(move, Status(subject["status"]))
    except InvalidMove as error:
        raise conflict(str(error), subject["status"]) from None


def enrol(uow: UnitOfWork, body: Enrol, config: Config) -> dict[str, Any]:
    subject_id = str(uuid.uuid4())
    uow.authorize_write("corrections.enrol", record=subject_id)
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
        status=Status.ENROLLED.value,
    )
    due = domain.report_in_due(body.judgment_effective_date, config.enrol_report_in_seconds)
    apply(uow, uow.emit(ev.ENROLLED, subject_id, ev.Enrolled(version=1, profile=profile, report_in_due=due)))
    db.save_details(uow.conn, subject_id, body.model_dump(mode="json"))
    return view(uow, subject_id)


def report_in(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    subject = load(uow, subject_id)
    authorize_owner(uow, subject)
    moved(subject, Move.REPORT_IN)
    apply(
        uow,
        uow.emit(
            ev.REPORTED_IN,
            subject_id,
            ev.ReportedIn(subject_id=subject_id, version=subject["version"] + 1, reported_at=now()),
        ),
    )
    return view(uow, subject_id)


def release(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    subject = load(uow, subject_id)
    authorize_owner(uow, subject)
    moved(subject, Move.RELEASE)
    apply(
        uow,
        uow.emit(
            ev.RELEASED,
            subject_id,
            ev.Released(subject_id=subject_id, version=subject["version"] + 1, released_at=now()),
        ),
    )
    return view(uow, subject_id)


def lookup(uow: UnitOfWork, id_number: str, config: Config) -> dict[str, Any]:
    """Hit or no hit, from the local read model, by keyed hash: the subject id and home region, nothing else."""
    uow.authorize_write("corrections.lookup", data_class=DataClass.SUBJECT_LOOKUP)
    found = db.active_by_hash(uow.conn, keyed_hash(id_number, config.id_hash_key))
    if found:
        uow.about(found["id"], found["home_region"])  # a hit is a read about that subject
    return {"hit": True, "subject_id": found["id"], "home_region": found["home_region"]} if found else {"hit": False}


def _involved(uow: UnitOfWork, subject: dict[str, Any]) -> bool:
    return domain.involved(uow.acting_region, db.movements(uow.conn, subject["id"]), zone_today())


def read(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    subject = load(uow, subject_id)
    uow.authorize_read("corrections.read", subject_id, subject["home_region"], _involved(uow, subject))
    return view(uow, subject_id)


def read_detail(uow: UnitOfWork, subject_id: str) -> dict[str, Any] | None:
    """The full record: the home region's officers, or another region's during an active travel or transfer
    to it. Held by the home region; None here means: relay to it."""
    subject = load(uow, subject_id)
    home = subject["home_region"]
    return uow.read_held(
        "corrections.read_detail",
        DataClass.CORRECTIONS_DETAIL,
        subject_id,
        home,
        involved=_involved(uow, subject),
        read=lambda: _full_record(uow, subject_id, home),
    )


def _full_record(uow: UnitOfWork, subject_id: str, home: str) -> dict[str, Any]:
    """Everything the home region holds on a subject: the record and every violation's details, so a
    transfer hands all of it over."""
    violations = db.violations(uow.conn, subject_id)
    return {"subject_id": subject_id, "home_region": home, **db.details(uow.conn, subject_id), "violations": violations}


def holder_of(uow: UnitOfWork, subject_id: str) -> str:
    return load(uow, subject_id)["home_region"]


def view(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    """The minimised profile with travels, transfers, violations and timeline; violation details only for
    the home region's own officers (the caller's region owns the record, whichever instance answers)."""
    subject = load(uow, subject_id)
    at_home = uow.acting_region == subject["home_region"] == uow.region.value
    violations = [
        v if at_home else {k: x for k, x in v.items() if k != "details"} for v in db.violations(uow.conn, subject_id)
    ]
    shown = {k: v for k, v in subject.items() if k != "id_hash"}
    return {
        **shown,
        "travels": db.travels(uow.conn, subject_id),
        "transfers": db.transfers(uow.conn, subject_id),
        "violations": violations,
        "timeline": records.timeline(uow.conn, subject_id),
    }


def search(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.require_any_grant("corrections.read")
    result = db.search(uow.conn, filters, limit, cursor)

    def visible(s: dict[str, Any]) -> bool:
        return uow.may_read("corrections.read", s["home_region"], _involved(uow, s))

    items = [{k: v for k, v in s.items() if k != "id_hash"} for s in result["items"] if visible(s)]
    return {**result, "items": items}


def scan(uow: UnitOfWork) -> None:
    """Home region: a report-in not made by its deadline raises report-in-overdue, once."""
    at = now()
    for row in db.report_ins_overdue(uow.conn, uow.region.value, at):
        data = ev.ReportInOverdue(
            subject_id=row["id"], report_in_due=datetime.fromisoformat(row["report_in_due"]), detected_at=at
        )
        apply(uow, uow.emit(ev.REPORT_IN_OVERDUE, row["id"], data))
    for trip in db.travels_starting(uow.conn, uow.region.value, zone_today()):
        start_travel(uow, trip["subject_id"], trip["version"], trip["travel_id"])


def start_travel(uow: UnitOfWork, subject_id: str, version: int, travel_id: str) -> None:
    """Home region: an approved trip's first day has come (at approval, or found by the scanner)."""
    data = ev.TravelStarted(subject_id=subject_id, version=version + 1, travel_id=travel_id, started_at=now())
    apply(uow, uow.emit(ev.TRAVEL_STARTED, subject_id, data))
