"""Community-correction events (on `{region}.corrections`).

Events carry the minimised profile only: a pseudonymous subject id, masked name and ID number, type,
period, risk level, status, home region and a keyed hash of the ID number (for hit/no-hit lookups).
Never the full ID number, the address or the sentence text. The home region (place of execution) owns
the record and versions its changes; destinations emit their own facts (check-ins, transfer decisions).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from shared.contracts.base import Payload, declare
from shared.contracts.regions import Domain


class CorrectionType(StrEnum):
    CONTROL = "control"  # 管制
    PROBATION = "probation"  # 缓刑
    PAROLE = "parole"  # 假释
    TEMPORARY_OUTSIDE = "temporary_outside"  # 暂予监外执行


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Profile(Payload):
    subject_id: str
    home_region: str
    name_masked: str
    id_masked: str
    id_hash: str
    correction_type: CorrectionType
    start_date: date
    end_date: date
    risk_level: RiskLevel
    status: str


class Enrolled(Payload):
    version: int
    profile: Profile
    report_in_due: datetime


class ReportedIn(Payload):
    subject_id: str
    version: int
    reported_at: datetime


class TravelApproved(Payload):
    subject_id: str
    version: int
    travel_id: str
    destination: str
    from_date: date
    to_date: date
    approved_at: datetime


class TravelStarted(Payload):
    """The home region: an approved trip's first day has come; the destination may now see the record."""

    subject_id: str
    version: int
    travel_id: str
    started_at: datetime


class TravelCheckedIn(Payload):
    subject_id: str
    travel_id: str
    checked_in_at: datetime


class TravelReturned(Payload):
    subject_id: str
    version: int
    travel_id: str
    returned_at: datetime


class TravelCancelled(Payload):
    """The home region withdraws an approved trip before it began."""

    subject_id: str
    version: int
    travel_id: str
    reason: str
    cancelled_at: datetime


class TravelOverdue(Payload):
    """The home region: the trip's last day has passed and the subject is not recorded back."""

    subject_id: str
    travel_id: str
    to_date: date
    detected_at: datetime


class TransferRequested(Payload):
    subject_id: str
    version: int
    transfer_id: str
    destination: str
    requested_at: datetime


class TransferAccepted(Payload):
    subject_id: str
    transfer_id: str
    accepted_at: datetime


class TransferRejected(Payload):
    subject_id: str
    transfer_id: str
    reason: str
    rejected_at: datetime


class TransferWithdrawn(Payload):
    """The home region withdraws its pending request: it prevails over an acceptance crossing it."""

    subject_id: str
    version: int
    transfer_id: str
    reason: str
    withdrawn_at: datetime


class OwnershipTransferred(Payload):
    subject_id: str
    version: int
    transfer_id: str
    from_region: str
    to_region: str
    transferred_at: datetime
    report_in_due: datetime


class ReportInOverdue(Payload):
    subject_id: str
    report_in_due: datetime
    detected_at: datetime


class ViolationReported(Payload):
    violation_id: str
    subject_id: str
    kind: str
    occurred_at: datetime
    place: str
    details: str  # kept by the home region only; other regions store kind, time and place


class SubjectUpdated(Payload):
    """The home region changed the record: every region learns which fields changed, and the new value only
    where the shared profile shows it (the risk level); the others stay in the home region's record."""

    subject_id: str
    version: int
    changed: list[str]
    risk_level: RiskLevel | None = None  # the new level, when it changed
    status: str  # unchanged: the subject's status, as every versioned change of the profile states it
    updated_at: datetime


class RecordPurged(Payload):
    """The retention period after release has passed: the full record is gone, the profile is minimised."""

    subject_id: str
    version: int
    released_at: datetime
    purged_at: datetime


class Released(Payload):
    subject_id: str
    version: int
    released_at: datetime


ENROLLED = declare(Domain.CORRECTIONS, "enrolled", Enrolled)
REPORTED_IN = declare(Domain.CORRECTIONS, "reported-in", ReportedIn)
TRAVEL_APPROVED = declare(Domain.CORRECTIONS, "travel-approved", TravelApproved)
TRAVEL_STARTED = declare(Domain.CORRECTIONS, "travel-started", TravelStarted)
TRAVEL_CHECKED_IN = declare(Domain.CORRECTIONS, "travel-checked-in", TravelCheckedIn)
TRAVEL_RETURNED = declare(Domain.CORRECTIONS, "travel-returned", TravelReturned)
TRAVEL_CANCELLED = declare(Domain.CORRECTIONS, "travel-cancelled", TravelCancelled)
TRAVEL_OVERDUE = declare(Domain.CORRECTIONS, "travel-overdue", TravelOverdue)
TRANSFER_REQUESTED = declare(Domain.CORRECTIONS, "transfer-requested", TransferRequested)
TRANSFER_ACCEPTED = declare(Domain.CORRECTIONS, "transfer-accepted", TransferAccepted)
TRANSFER_REJECTED = declare(Domain.CORRECTIONS, "transfer-rejected", TransferRejected)
TRANSFER_WITHDRAWN = declare(Domain.CORRECTIONS, "transfer-withdrawn", TransferWithdrawn)
OWNERSHIP_TRANSFERRED = declare(Domain.CORRECTIONS, "ownership-transferred", OwnershipTransferred)
REPORT_IN_OVERDUE = declare(Domain.CORRECTIONS, "report-in-overdue", ReportInOverdue)
VIOLATION_REPORTED = declare(Domain.CORRECTIONS, "violation-reported", ViolationReported)
RELEASED = declare(Domain.CORRECTIONS, "released", Released)
RECORD_PURGED = declare(Domain.CORRECTIONS, "record-purged", RecordPurged)
SUBJECT_UPDATED = declare(Domain.CORRECTIONS, "subject-updated", SubjectUpdated)
