"""Community-correction rules, pure: identity consistency, report-in windows, status transitions, travel
and transfer rules, and when another region counts as involved (and may see the full record)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

ENROL_REPORT_IN_SECONDS = 10 * 86400  # report to the place of execution within 10 days of the judgment
TRANSFER_REPORT_IN_SECONDS = 7 * 86400  # and to the new place within 7 days of a change of place
MAX_TRAVEL_DAYS = 30
RETENTION_DAYS = 5 * 365  # the full record is kept this long after release (YRD_CORRECTIONS_RETENTION_DAYS)


class SubjectStatus(StrEnum):
    ENROLLED = "enrolled"
    REPORTED_IN = "reported_in"
    UNDER_SUPERVISION = "under_supervision"
    TRAVEL_APPROVED = "travel_approved"  # approved, not yet begun: the destination sees nothing more yet
    TRAVELLING = "travelling"
    TRANSFER_PENDING = "transfer_pending"
    RELEASED = "released"


class Move(StrEnum):
    REPORT_IN = "report in"
    APPROVE_TRAVEL = "approve travel for"
    START_TRAVEL = "start the trip of"
    RETURN = "record the return of"
    CANCEL_TRAVEL = "cancel the trip of"
    REQUEST_TRANSFER = "request a transfer for"
    TRANSFER_REJECTED = "reject the transfer of"
    WITHDRAW_TRANSFER = "withdraw the transfer of"
    TRANSFER_OWNERSHIP = "transfer"
    RELEASE = "release"


SUPERVISED = frozenset({SubjectStatus.REPORTED_IN, SubjectStatus.UNDER_SUPERVISION})
TRANSITIONS: dict[Move, tuple[frozenset[SubjectStatus], SubjectStatus]] = {
    Move.REPORT_IN: (frozenset({SubjectStatus.ENROLLED}), SubjectStatus.REPORTED_IN),
    Move.APPROVE_TRAVEL: (SUPERVISED, SubjectStatus.TRAVEL_APPROVED),
    Move.START_TRAVEL: (frozenset({SubjectStatus.TRAVEL_APPROVED}), SubjectStatus.TRAVELLING),
    Move.RETURN: (
        frozenset({SubjectStatus.TRAVEL_APPROVED, SubjectStatus.TRAVELLING}),
        SubjectStatus.UNDER_SUPERVISION,
    ),
    Move.CANCEL_TRAVEL: (frozenset({SubjectStatus.TRAVEL_APPROVED}), SubjectStatus.UNDER_SUPERVISION),
    Move.REQUEST_TRANSFER: (SUPERVISED, SubjectStatus.TRANSFER_PENDING),
    Move.TRANSFER_REJECTED: (frozenset({SubjectStatus.TRANSFER_PENDING}), SubjectStatus.UNDER_SUPERVISION),
    Move.WITHDRAW_TRANSFER: (frozenset({SubjectStatus.TRANSFER_PENDING}), SubjectStatus.UNDER_SUPERVISION),
    Move.TRANSFER_OWNERSHIP: (frozenset({SubjectStatus.TRANSFER_PENDING}), SubjectStatus.ENROLLED),
    Move.RELEASE: (
        frozenset({SubjectStatus.ENROLLED, SubjectStatus.TRAVEL_APPROVED, *SUPERVISED}),
        SubjectStatus.RELEASED,
    ),
}


class CorrectionRuleError(ValueError):
    """A command the rules refuse; `field` names the input at fault, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class InvalidMove(Exception):
    def __init__(self, move: Move, current: SubjectStatus) -> None:
        super().__init__(f"cannot {move.value} a subject who is {current.value}")
        self.current = current


def next_status(move: Move, current: SubjectStatus) -> SubjectStatus:
    allowed_from, target = TRANSITIONS[move]
    if current not in allowed_from:
        raise InvalidMove(move, current)
    return target


def check_period(start: date, end: date) -> None:
    if end <= start:
        raise CorrectionRuleError("end_date", "end_date must be after start_date")


def report_in_due(effective: date | datetime, seconds: int) -> datetime:
    start = effective if isinstance(effective, datetime) else datetime.combine(effective, time(), UTC)
    return start + timedelta(seconds=seconds)


def check_travel(
    home: str, destination: str, from_date: date, to_date: date, today: date, supervision_ends: date | None
) -> None:
    if destination == home:
        raise CorrectionRuleError("destination", "travel approval is for leaving the home region")
    if from_date < today:
        raise CorrectionRuleError("from_date", "from_date must not be in the past")
    if to_date < from_date:
        raise CorrectionRuleError("to_date", "to_date must not be before from_date")
    if (to_date - from_date).days + 1 > MAX_TRAVEL_DAYS:
        raise CorrectionRuleError("to_date", f"a trip may last at most {MAX_TRAVEL_DAYS} days")
    if supervision_ends is not None and to_date > supervision_ends:
        raise CorrectionRuleError("to_date", "a trip must end by the end of the correction period")


def travel_started(from_date: date, today: date) -> bool:
    return from_date <= today


def travel_overdue(travel_status: str, to_date: date, today: date) -> bool:
    """A trip's last day has passed and it is still open (not returned, not cancelled)."""
    return travel_status in ("approved", "checked_in") and today > to_date


def check_in_open(from_date: date, to_date: date, today: date) -> bool:
    """A destination checks a traveller in only during the approved dates."""
    return from_date <= today <= to_date


@dataclass(frozen=True)
class Movement:
    """A travel or transfer as far as access is concerned."""

    kind: str  # "travel" or "transfer"
    region: str  # the destination
    status: str
    until: date | None = None  # a travel's last day
    since: date | None = None  # a travel's first day


def is_active(movement: Movement, today: date) -> bool:
    if movement.kind == "travel":
        within = (movement.since is None or movement.since <= today) and (
            movement.until is None or today <= movement.until
        )
        return movement.status in ("approved", "checked_in") and within
    return movement.status == "pending"


def involved(region: str, movements: list[Movement], today: date) -> bool:
    """Another region may see the full record only during an active travel (on its dates) or a pending
    transfer to it."""
    return any(m.region == region and is_active(m, today) for m in movements)


def retention_over(released_at: datetime, now: datetime, retention_days: int) -> bool:
    return now >= released_at + timedelta(days=retention_days)


def report_in_overdue(status: SubjectStatus, due: datetime | None, now: datetime) -> bool:
    return status is SubjectStatus.ENROLLED and due is not None and now > due
