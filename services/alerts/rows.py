"""The alerts tables' rows as the store hands them back (types only: a row stays a dict). Columns not
NOT NULL may be empty: a later event can make a stub row before the one that fills it in arrives."""

from __future__ import annotations

from typing import TypedDict


class AlertRow(TypedDict):
    """A row of alerts: an alert as every region's read model holds it (JSON columns decoded)."""

    id: str
    origin_region: str | None
    category: str | None
    severity: str | None
    title: str | None
    description: str | None
    location: dict[str, float | str] | None  # lat, lon and address
    subjects: list[dict[str, str | None]] | None  # each a subject's kind, description and plate
    action: str | None
    targets: list[str] | None  # the regions that must acknowledge
    valid_until: str | None
    raised_at: str | None
    ack_due: str | None
    status: str
    version: int
    outcome: str | None
    closed_at: str | None
    updated_at: str | None
    agency: str | None


class AckRow(TypedDict):
    """A target region's acknowledgement of an alert, as the alert shows it (under the alert, so no alert_id)."""

    region: str
    due_at: str | None
    acknowledged_at: str | None
    acknowledged_by: str | None
    escalated_at: str | None


class AlertAckRow(AckRow):
    """A row of alert_acks: one target region's acknowledgement state of one alert."""

    alert_id: str


class SightingRow(TypedDict):
    """A row of sightings: a region's report of seeing an alert's subject (location decoded)."""

    id: str
    alert_id: str
    region: str
    seen_at: str
    location: dict[str, float | str]  # lat, lon and address
    details: str


class ReinforcementRow(TypedDict):
    """A row of reinforcements: a request for units from another region, and its answer once given (the
    generated sort key `pending_rank` is no column of the row: the store leaves it out)."""

    id: str
    alert_id: str | None
    from_region: str | None
    to_region: str | None
    units: int | None
    kind: str | None
    rendezvous: str | None
    requested_at: str | None
    status: str
    dispatched_units: int | None
    eta: str | None
    reason: str | None
    answered_at: str | None
