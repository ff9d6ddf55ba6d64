"""Alert queries: what an officer may see of an alert and the collection, and who takes part in one
(the origin; targets, which must acknowledge; regions asked for reinforcement)."""

from __future__ import annotations

from typing import Any

from services.alerts import store as db
from shared import records
from shared.auth.policy import agencies_of
from shared.problems import not_found
from shared.uow import UnitOfWork


def load(uow: UnitOfWork, alert_id: str) -> dict[str, Any]:
    alert = db.get(uow.conn, alert_id)
    if alert is None or alert["origin_region"] is None:
        raise not_found("alert")
    return alert


def targeted(alert: dict[str, Any], region: str) -> bool:
    """A target must acknowledge the alert."""
    return region in alert["targets"]


def involved(uow: UnitOfWork, alert: dict[str, Any], region: str) -> bool:
    """Targets, and regions asked for reinforcement, take part in an alert: they read it and report on it."""
    return targeted(alert, region) or region in db.asked_regions(uow.conn, alert["id"])


def read_model(uow: UnitOfWork, alert_id: str) -> dict[str, Any]:
    alert = load(uow, alert_id)
    return {
        **alert,
        "acknowledgements": db.acks(uow.conn, alert_id),
        "sightings": db.sightings(uow.conn, alert_id),
        "reinforcement_requests": db.reinforcements(uow.conn, alert_id),
        "timeline": records.timeline(uow.conn, alert_id),
    }


def _readable(uow: UnitOfWork, alert: dict[str, Any]) -> bool:
    takes_part = involved(uow, alert, uow.acting_region)
    return uow.may_read("alerts.read", alert["origin_region"], takes_part, agencies_of(alert))


def read(uow: UnitOfWork, alert_id: str) -> dict[str, Any]:
    alert = load(uow, alert_id)
    takes_part = involved(uow, alert, uow.acting_region)
    uow.authorize_read("alerts.read", alert_id, alert["origin_region"], takes_part, agencies_of(alert))
    return read_model(uow, alert_id)


def search(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.require_any_grant("alerts.read")
    result = db.search(uow.conn, filters, limit, cursor)
    return {**result, "items": [a for a in result["items"] if _readable(uow, a)]}
