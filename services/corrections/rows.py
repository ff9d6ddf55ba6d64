"""The corrections tables' rows as the store hands them back (types only: a row stays a dict). Columns not
NOT NULL may be empty: a later event can make a stub row before the one that creates the record arrives.
Timestamps and days are ISO text, as stored."""

from __future__ import annotations

from typing import TypedDict


class SubjectRow(TypedDict):
    """A row of subjects: the minimised profile every region holds (the keyed hash is never shown)."""

    id: str
    home_region: str | None  # the supervising region, which owns the record
    name_masked: str | None  # cleared, with id_masked and id_hash, once the record is purged
    id_masked: str | None
    id_hash: str | None
    correction_type: str | None
    start_date: str | None  # a day
    end_date: str | None  # a day
    risk_level: str | None
    status: str
    version: int
    enrolled_at: str | None
    report_in_due: str | None
    overdue_flagged: bool
    released_at: str | None


class TravelRow(TypedDict):
    """A row of travels: a trip the home region approved, with what its destination recorded."""

    id: str
    subject_id: str
    destination: str | None
    from_date: str | None  # a day
    to_date: str | None  # a day
    status: str
    approved_at: str | None
    checked_in_at: str | None
    returned_at: str | None
    cancelled_at: str | None
    reason: str | None  # why it was cancelled
    overdue_flagged: bool


class TransferRow(TypedDict):
    """A row of transfers: a change of the place of execution, requested by the home, decided by the destination."""

    id: str
    subject_id: str
    from_region: str | None
    destination: str | None
    status: str
    requested_at: str | None
    decided_at: str | None
    reason: str | None


class ViolationRow(TypedDict):
    """A row of violations: every region knows of each; only the home region keeps its details."""

    id: str
    subject_id: str
    region: str  # the region that reported it
    kind: str
    occurred_at: str
    place: str
    details: str | None
