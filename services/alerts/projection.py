"""The alerts read model: one function per event type, applied to every region's events alike (this
region's own when it emits them, others' when they arrive). State changes are gated by the origin's
version; facts from several regions (acknowledgements, sightings, reinforcement) merge by id."""

from __future__ import annotations

from typing import Any

from services.alerts import store as db
from services.alerts.domain import AlertStatus
from shared.adapters import records
from shared.contracts import alerts as ev
from shared.contracts.envelope import Event
from shared.core.route import Table
from shared.core.uow import UnitOfWork


def _timeline(uow: UnitOfWork, event: Event, detail: dict[str, Any]) -> None:
    records.add_timeline(uow.conn, event, event.data.alert_id, detail)


def raised(uow: UnitOfWork, event: Event) -> None:
    data: ev.Raised = event.data
    # Into a stub made by newer changes that arrived first, the details fill in only what is empty.
    values = {
        "id": data.alert_id,
        "version": data.version,
        "status": AlertStatus.ACTIVE,
        "origin_region": event.region.value,
        "agency": event.agency,
        **data.model_dump(exclude={"alert_id", "version"}),
    }
    records.create_versioned(uow.conn, "alerts", values)
    for target in data.targets:
        db.set_ack_due(uow.conn, data.alert_id, target, data.ack_due)
    _timeline(
        uow, event, {"severity": data.severity.value, "targets": data.targets, "ack_due": data.ack_due.isoformat()}
    )


def acknowledged(uow: UnitOfWork, event: Event) -> None:
    data: ev.Acknowledged = event.data
    db.record_ack(uow.conn, data.alert_id, data.region, data.acknowledged_at, event.actor)
    _timeline(uow, event, {"region": data.region})


def escalated(uow: UnitOfWork, event: Event) -> None:
    data: ev.Escalated = event.data
    db.record_escalation(uow.conn, data.alert_id, data.region, data.escalated_at)
    _timeline(uow, event, {"region": data.region, "ack_due": data.ack_due.isoformat()})


def sighting_reported(uow: UnitOfWork, event: Event) -> None:
    data: ev.SightingReported = event.data
    sighting = {
        "id": data.sighting_id,
        "alert_id": data.alert_id,
        "region": event.region.value,
        "seen_at": data.seen_at,
        "location": data.location,
        "details": data.details,
    }
    db.add_sighting(uow.conn, sighting)
    _timeline(uow, event, {"sighting_id": data.sighting_id, "address": data.location.address})


def reinforcement_requested(uow: UnitOfWork, event: Event) -> None:
    data: ev.ReinforcementRequested = event.data
    request = {
        "id": data.request_id,
        "alert_id": data.alert_id,
        "from_region": event.region.value,
        "to_region": data.to_region,
        "units": data.units,
        "kind": data.kind,
        "rendezvous": data.rendezvous,
        "requested_at": data.requested_at,
    }
    records.merge(uow.conn, "reinforcements", request, keep=("status",))
    _timeline(uow, event, {"request_id": data.request_id, "to_region": data.to_region, "units": data.units})


def reinforcement_answered(uow: UnitOfWork, event: Event) -> None:
    data: ev.ReinforcementAnswered = event.data
    answer = {
        "id": data.request_id,
        "alert_id": data.alert_id,
        "status": data.outcome,
        "dispatched_units": data.units,
        "eta": data.eta,
        "reason": data.reason,
        "answered_at": data.answered_at,
    }
    records.merge(uow.conn, "reinforcements", answer)
    _timeline(uow, event, {"request_id": data.request_id, "outcome": data.outcome})


def updated(uow: UnitOfWork, event: Event) -> None:
    data: ev.Updated = event.data
    changes = {k: v for k, v in (("description", data.description), ("location", data.location)) if v is not None}
    records.apply_versioned(
        uow.conn,
        "alerts",
        data.alert_id,
        data.version,
        status=AlertStatus.ACTIVE,
        updated_at=data.updated_at,
        **changes,
    )
    _timeline(uow, event, {"changed": sorted(changes)})


def closed(uow: UnitOfWork, event: Event) -> None:
    data: ev.Closed = event.data
    fields = {"status": AlertStatus(data.outcome), "outcome": data.outcome, "closed_at": data.closed_at}
    records.apply_versioned(uow.conn, "alerts", data.alert_id, data.version, **fields)
    _timeline(uow, event, {"outcome": data.outcome})


PROJECTION: Table = {
    ev.RAISED: raised,
    ev.ACKNOWLEDGED: acknowledged,
    ev.ESCALATED: escalated,
    ev.SIGHTING_REPORTED: sighting_reported,
    ev.REINFORCEMENT_REQUESTED: reinforcement_requested,
    ev.REINFORCEMENT_ANSWERED: reinforcement_answered,
    ev.UPDATED: updated,
    ev.CLOSED: closed,
}
