"""Alert queries: what an officer may see of an alert and of the collection."""

from __future__ import annotations

from typing import Any

from services.alerts import store as db
from services.alerts.ownership import ALERT
from shared.adapters import records
from shared.core.uow import UnitOfWork


def load(uow: UnitOfWork, alert_id: str) -> dict[str, Any]:
    return ALERT.known(db.get(uow.conn, alert_id))


def read_model(uow: UnitOfWork, alert_id: str) -> dict[str, Any]:
    alert = load(uow, alert_id)
    return {
        **alert,
        "acknowledgements": db.acks(uow.conn, alert_id),
        "sightings": db.sightings(uow.conn, alert_id),
        "reinforcement_requests": db.reinforcements(uow.conn, alert_id),
        "timeline": records.timeline(uow.conn, alert_id),
    }


def read(uow: UnitOfWork, alert_id: str) -> dict[str, Any]:
    uow.authorize_read("alerts.read", ALERT, load(uow, alert_id))
    return read_model(uow, alert_id)


def search(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.require_any_grant("alerts.read")
    result = db.search(uow.conn, filters, limit, cursor)
    return {**result, "items": [a for a in result["items"] if uow.may_read("alerts.read", ALERT, a)]}
