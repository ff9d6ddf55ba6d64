"""What the alerts routes answer (response models; the routes send stored JSON as it is)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from services.alerts.domain import AlertStatus
from shared.contracts.alerts import AlertFacts, Location
from shared.contracts.views import Page, TimelineEntry, View


class Alert(View, AlertFacts):
    """An alert as every region's read model holds it (what was raised, and its state, decided by the
    origin region)."""

    id: str
    origin_region: str
    status: AlertStatus
    version: int
    outcome: Literal["resolved", "cancelled", "expired"] | None
    closed_at: datetime | None
    updated_at: datetime | None
    agency: str | None  # the agency system that raised it, if one did


class Acknowledgement(View):
    region: str  # a target region
    due_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    escalated_at: datetime | None  # set once, when the deadline passed unacknowledged


class Sighting(View):
    id: str
    alert_id: str
    region: str
    seen_at: datetime
    location: Location
    details: str


class Reinforcement(View):
    id: str
    alert_id: str | None
    from_region: str | None
    to_region: str | None
    units: int | None
    kind: str | None
    rendezvous: str | None
    requested_at: datetime | None
    status: Literal["open", "dispatched", "declined"]
    dispatched_units: int | None
    eta: datetime | None
    reason: str | None
    answered_at: datetime | None


class AlertView(Alert):
    acknowledgements: list[Acknowledgement]
    sightings: list[Sighting]
    reinforcement_requests: list[Reinforcement]
    timeline: list[TimelineEntry]


class ListedAlert(Alert):
    """An alert in a list, with what it asks of the reading region."""

    awaiting_my_ack: bool  # this region is a target and has not acknowledged it yet
    deadline_near: bool  # ...and the last quarter of its acknowledgement window has begun (or passed)


AlertPage = Page[ListedAlert]
ReinforcementPage = Page[Reinforcement]
