"""Alert rules, pure: acknowledgement deadlines by severity, escalation, expiry, reinforcement answers.
Time is always passed in, so the rules are tested with a controllable clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.contracts.alerts import Severity
from shared.contracts.regions import Region, others


class AlertStatus(StrEnum):
    ACTIVE = "active"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


DEFAULT_ACK_SECONDS: dict[Severity, int] = {
    Severity.I: 2 * 60,
    Severity.II: 5 * 60,
    Severity.III: 15 * 60,
    Severity.IV: 60 * 60,
}


class AlertRuleError(ValueError):
    """A command that the rules refuse; the message says why."""


def ack_due(
    raised_at: datetime, severity: Severity, deadlines: Mapping[Severity, int] = DEFAULT_ACK_SECONDS
) -> datetime:
    return raised_at + timedelta(seconds=deadlines[severity])


def deadline_near(raised_at: datetime, due: datetime, now: datetime) -> bool:
    """The last quarter of an acknowledgement window (2 minutes gives the last 30 s), or past it."""
    return now >= due - (due - raised_at) / 4


def resolve_targets(origin: Region, requested: Iterable[Region] | None) -> list[Region]:
    """Default: the other two regions. An alert never targets its own region."""
    targets = sorted(set(requested), key=list(Region).index) if requested else others(origin)
    if origin in targets:
        raise AlertRuleError("an alert targets other regions, not its own")
    if not targets:
        raise AlertRuleError("an alert needs at least one target region")
    return targets


def check_validity(raised_at: datetime, valid_until: datetime) -> None:
    if valid_until <= raised_at:
        raise AlertRuleError("valid_until must be in the future")


@dataclass(frozen=True)
class AckState:
    region: str
    due_at: datetime
    acknowledged_at: datetime | None
    escalated_at: datetime | None


def due_for_escalation(status: AlertStatus, acks: Iterable[AckState], now: datetime) -> list[AckState]:
    """Targets past their deadline with no acknowledgement, not yet escalated: each is escalated once."""
    if status is not AlertStatus.ACTIVE:
        return []
    return [a for a in acks if a.acknowledged_at is None and a.escalated_at is None and now > a.due_at]


def is_expired(status: AlertStatus, valid_until: datetime, now: datetime) -> bool:
    return status is AlertStatus.ACTIVE and now >= valid_until


def check_open(status: AlertStatus, doing: str) -> None:
    if status is not AlertStatus.ACTIVE:
        raise AlertRuleError(f"cannot {doing} an alert that is {status.value}")


def check_answerable(reinforcement_status: str) -> None:
    if reinforcement_status != "open":
        raise AlertRuleError(f"this reinforcement request is already {reinforcement_status}")
