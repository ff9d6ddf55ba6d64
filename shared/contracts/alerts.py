"""Joint police alert events (on `{region}.alerts`).

The raising region owns an alert and alone emits raised/escalated/reinforcement-requested/updated/closed,
with its version counter. A target region emits its own acknowledgement and its answers to
reinforcement requests; any region may report a sighting.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from shared.contracts.base import Payload, declare
from shared.contracts.regions import Domain


class Severity(StrEnum):
    I = "I"  # noqa: E741  (the official level names: I 特别重大 … IV 一般)
    II = "II"
    III = "III"
    IV = "IV"


class Category(StrEnum):
    FUGITIVE = "fugitive"
    MISSING_PERSON = "missing_person"
    WANTED_VEHICLE = "wanted_vehicle"
    HAZMAT = "hazmat"
    FRAUD = "fraud"
    PUBLIC_ORDER = "public_order"
    OTHER = "other"


class RequestedAction(StrEnum):
    LOCATE = "locate"
    DETAIN = "detain"
    OBSERVE_AND_REPORT = "observe_and_report"
    ASSIST = "assist"


class Location(Payload):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    address: str = Field(min_length=1, max_length=300)


class AlertSubject(Payload):
    kind: Literal["person", "vehicle", "object"]
    description: str = Field(min_length=1, max_length=1000)
    plate: str | None = Field(default=None, max_length=20)


class AlertFacts(BaseModel):
    """What an alert says, as raised: the event carries it, and every region's read model shows it."""

    category: Category
    severity: Severity
    title: str
    description: str
    location: Location
    subjects: list[AlertSubject]
    action: RequestedAction
    targets: list[str]  # the regions that must acknowledge
    valid_until: datetime
    raised_at: datetime
    ack_due: datetime


class Raised(Payload, AlertFacts):
    alert_id: str
    version: int


class Acknowledged(Payload):
    alert_id: str
    region: str
    acknowledged_at: datetime


class Escalated(Payload):
    alert_id: str
    region: str  # the target that did not acknowledge in time
    ack_due: datetime
    escalated_at: datetime


class SightingReported(Payload):
    sighting_id: str
    alert_id: str
    seen_at: datetime
    location: Location
    details: str


class ReinforcementRequested(Payload):
    request_id: str
    alert_id: str
    to_region: str
    units: int
    kind: str
    rendezvous: str
    requested_at: datetime


class ReinforcementAnswered(Payload):
    request_id: str
    alert_id: str
    outcome: Literal["dispatched", "declined"]
    units: int | None = None
    eta: datetime | None = None
    reason: str | None = None
    answered_at: datetime


class Updated(Payload):
    alert_id: str
    version: int
    description: str | None = None
    location: Location | None = None
    updated_at: datetime


class Closed(Payload):
    alert_id: str
    version: int
    outcome: Literal["resolved", "cancelled", "expired"]
    closed_at: datetime


RAISED = declare(Domain.ALERTS, "raised", Raised)
ACKNOWLEDGED = declare(Domain.ALERTS, "acknowledged", Acknowledged)
ESCALATED = declare(Domain.ALERTS, "escalated", Escalated)
SIGHTING_REPORTED = declare(Domain.ALERTS, "sighting-reported", SightingReported)
REINFORCEMENT_REQUESTED = declare(Domain.ALERTS, "reinforcement-requested", ReinforcementRequested)
REINFORCEMENT_ANSWERED = declare(Domain.ALERTS, "reinforcement-answered", ReinforcementAnswered)
UPDATED = declare(Domain.ALERTS, "updated", Updated)
CLOSED = declare(Domain.ALERTS, "closed", Closed)
