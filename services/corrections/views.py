"""What the corrections routes answer (response models; the routes send stored JSON as it is)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from services.corrections.domain import SubjectStatus
from shared.contracts.corrections import CorrectionType, RiskLevel
from shared.contracts.views import Page, TimelineEntry, View


class Subject(View):
    """The minimised profile every region holds: masked name and ID, no address or sentence."""

    id: str
    home_region: str  # the supervising region, which owns the record
    name_masked: str | None  # cleared, with id_masked, once the record is purged after its retention period
    id_masked: str | None
    correction_type: CorrectionType
    start_date: date
    end_date: date
    risk_level: RiskLevel
    status: SubjectStatus
    version: int
    enrolled_at: datetime
    report_in_due: datetime | None
    overdue_flagged: bool
    released_at: datetime | None


class Travel(View):
    id: str
    subject_id: str
    destination: str | None
    from_date: date | None
    to_date: date | None
    status: Literal["approved", "checked_in", "returned", "cancelled"]
    approved_at: datetime | None
    checked_in_at: datetime | None
    returned_at: datetime | None
    cancelled_at: datetime | None
    reason: str | None  # why it was cancelled
    overdue_flagged: bool  # its last day passed without a recorded return


class Transfer(View):
    id: str
    subject_id: str
    from_region: str | None
    destination: str | None
    status: Literal["pending", "accepted", "rejected", "withdrawn"]
    requested_at: datetime | None
    decided_at: datetime | None
    reason: str | None


class Violation(View):
    id: str
    subject_id: str
    region: str  # the region that reported it
    kind: str
    occurred_at: datetime
    place: str
    details: str | None = None  # only for the home region's own officers


class FullRecord(View):
    """The full record, held by the home region (sensitive: purpose required, audited)."""

    subject_id: str
    home_region: str
    id_number: str
    name: str
    gender: Literal["male", "female"]
    birth_date: date
    correction_type: CorrectionType
    sentence_summary: str
    judgment_effective_date: date
    start_date: date
    end_date: date
    supervising_office: str
    risk_level: RiskLevel
    prohibitions: list[str]
    residence_address: str
    violations: list[Violation]


class SubjectView(Subject):
    travels: list[Travel]
    transfers: list[Transfer]
    violations: list[Violation]
    timeline: list[TimelineEntry]
    record: FullRecord | None  # the full record: for the home region's officer who states a purpose


class LookupResult(View):
    """Hit or no hit: on a hit, which subject and which region supervises them, nothing more."""

    hit: bool
    subject_id: str | None = None
    home_region: str | None = None


class ListedTravel(Travel):
    home_region: str | None  # the subject's supervising region


class ListedTransfer(Transfer):
    home_region: str | None  # the subject's supervising region (the destination's, once accepted)


SubjectPage = Page[Subject]
TravelPage = Page[ListedTravel]
TransferPage = Page[ListedTransfer]
