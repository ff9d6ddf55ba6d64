"""Alert queries: what an officer may see of an alert and of the collection."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.alerts import domain
from services.alerts import store as db
from services.alerts.ownership import ALERT
from services.alerts.rows import AlertRow
from shared.adapters import records
from shared.core.uow import UnitOfWork


def load(uow: UnitOfWork, alert_id: str) -> AlertRow:
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
    uow.access.authorize_read("alerts.read", ALERT, load(uow, alert_id))
    return read_model(uow, alert_id)


def search(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.access.require_any_grant("alerts.read")
    result = db.search(uow.conn, filters, limit, cursor, uow.region.value)
    items = uow.access.readable("alerts.read", ALERT, result["items"])
    return {**result, "items": _asked_of_me(uow, items)}


def _asked_of_me(uow: UnitOfWork, alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each listed alert with what it asks of this region: an acknowledgement, and whether it is due soon."""
    awaited = db.awaited_by(uow.conn, uow.region.value, [a["id"] for a in alerts])
    now = datetime.now(UTC)
    return [
        {
            **alert,
            "awaiting_my_ack": (waiting := alert["id"] in awaited and alert["status"] == "active"),
            "deadline_near": waiting
            and domain.deadline_near(
                datetime.fromisoformat(alert["raised_at"]), datetime.fromisoformat(alert["ack_due"]), now
            ),
        }
        for alert in alerts
    ]


def reinforcement_requests(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    """Requests for reinforcement on alerts this region may read; pending first."""
    uow.access.require_any_grant("alerts.read")
    result = db.search_reinforcements(uow.conn, filters, limit, cursor)
    alerts = {r["alert_id"]: db.get(uow.conn, r["alert_id"]) for r in result["items"]}
    readable = {i for i, a in alerts.items() if a and uow.access.may_read("alerts.read", ALERT, a)}
    return {**result, "items": [r for r in result["items"] if r["alert_id"] in readable]}
