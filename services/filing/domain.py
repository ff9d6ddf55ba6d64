"""Filing rules, pure: the state machine, docket numbers, the 7-day decision rule. No I/O here.

Ownership: the receiving region owns a filing while it is `submitted`; from `received` on the court
region alone decides. Every owner-emitted state change carries a version, so read models converge
whatever order the two regions' topics are read in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from enum import StrEnum

from shared.contracts.filing import CaseType


class FilingStatus(StrEnum):
    SUBMITTED = "submitted"
    RECEIVED = "received"
    CORRECTION_REQUESTED = "correction_requested"
    RESUBMITTED = "resubmitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    RECEIVE = "receive"
    ACCEPT = "accept"
    REJECT = "reject"
    REQUEST_CORRECTION = "request-correction"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"


UNDER_REVIEW = frozenset({FilingStatus.RECEIVED, FilingStatus.RESUBMITTED})
UNDECIDED = frozenset(
    {FilingStatus.SUBMITTED, FilingStatus.RECEIVED, FilingStatus.CORRECTION_REQUESTED, FilingStatus.RESUBMITTED}
)
FINAL = frozenset({FilingStatus.ACCEPTED, FilingStatus.REJECTED, FilingStatus.WITHDRAWN})

TRANSITIONS: dict[Action, tuple[frozenset[FilingStatus], FilingStatus]] = {
    Action.RECEIVE: (frozenset({FilingStatus.SUBMITTED}), FilingStatus.RECEIVED),
    Action.ACCEPT: (UNDER_REVIEW, FilingStatus.ACCEPTED),
    Action.REJECT: (UNDER_REVIEW, FilingStatus.REJECTED),
    Action.REQUEST_CORRECTION: (UNDER_REVIEW, FilingStatus.CORRECTION_REQUESTED),
    Action.RESUBMIT: (frozenset({FilingStatus.CORRECTION_REQUESTED}), FilingStatus.RESUBMITTED),
    Action.WITHDRAW: (UNDECIDED, FilingStatus.WITHDRAWN),
}

DECISION_SECONDS = 7 * 86400  # the court decides within 7 days (configurable for operations and tests)

CASE_TYPE_CODES: dict[CaseType, str] = {
    CaseType.CIVIL: "民初",
    CaseType.ADMINISTRATIVE: "行初",
    CaseType.CRIMINAL_PRIVATE: "刑初",
    CaseType.ENFORCEMENT: "执",
}


class InvalidTransition(Exception):
    def __init__(self, action: Action, current: FilingStatus) -> None:
        super().__init__(f"cannot {action.value} a filing that is {current.value}")
        self.action = action
        self.current = current


def can(action: Action, current: FilingStatus) -> bool:
    return current in TRANSITIONS[action][0]


def next_status(action: Action, current: FilingStatus, correction_lapsed: bool = False) -> FilingStatus:
    """The state after `action`, or InvalidTransition naming the current state. Once a correction's
    deadline has lapsed without resubmission, the court may reject the filing as it stands."""
    allowed_from, target = TRANSITIONS[action]
    lapsed_reject = action is Action.REJECT and current is FilingStatus.CORRECTION_REQUESTED and correction_lapsed
    if current not in allowed_from and not lapsed_reject:
        raise InvalidTransition(action, current)
    return target


def decision_due(clock_start: datetime, seconds: int = DECISION_SECONDS) -> datetime:
    """The court decides within 7 days of receiving the filing, or of the corrected filing."""
    return clock_start + timedelta(seconds=seconds)


def correction_lapsed(status: FilingStatus, deadline: date | None, today: date) -> bool:
    """The deadline to supply what the notice listed has passed (the deadline day itself still counts)."""
    return status is FilingStatus.CORRECTION_REQUESTED and deadline is not None and today > deadline


def is_overdue(status: FilingStatus, due: datetime | None, now: datetime) -> bool:
    return status in UNDER_REVIEW and due is not None and now > due


# Crockford's base32: no I, L, O or U, so a code read out at a window is not misheard or mistyped.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_READS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_filing_code(random_bits: Callable[[int], int]) -> str:
    """The code a party is given at submission to ask about the filing without a login: 10 characters
    (50 bits), shown as two groups of five. One draw of 50 bits, 5 per character: 32 symbols make every
    code equally likely, and one call to the system's random source instead of ten."""
    bits = random_bits(50)
    code = "".join(CODE_ALPHABET[(bits >> shift) & 31] for shift in range(45, -1, -5))
    return f"{code[:5]}-{code[5:]}"


def normalized_code(text: str) -> str:
    """A code as typed: case, spaces, dashes and the look-alike letters do not matter."""
    return "".join(c for c in text.upper().translate(_CODE_READS) if c in CODE_ALPHABET)


class NoticeAlreadyGiven(Exception):
    """一次性告知: the court lists every missing item in one notice; it cannot ask a second time."""


def check_one_time_notice(already_requested: bool) -> None:
    if already_requested:
        raise NoticeAlreadyGiven("the court already listed the missing items once (一次性告知); accept or reject")


def docket_number(year: int, court_code: str, case_type: CaseType, sequence: int) -> str:
    """`(2026)沪0118民初1532号`: year, court code, case-type code, per court/type/year sequence."""
    if sequence < 1:
        raise ValueError("docket sequences start at 1")
    return f"({year}){court_code}{CASE_TYPE_CODES[case_type]}{sequence}号"
