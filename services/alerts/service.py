"""Alert use cases as units of work, shared by routes, event handlers and the deadline scanner."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.alerts import domain
from services.alerts import store as db
from services.alerts.domain import AckState, AlertRuleError, Status
from services.alerts.metrics import ESCALATIONS, TIME_TO_ACK
from services.alerts.models import AnswerReinforcement, RaiseAlert, ReportSighting, RequestReinforcement, UpdateAlert
from shared import records
from shared.auth.policy import agencies_of
from shared.contracts import alerts as ev
from shared.contracts.alerts import Severity
from shared.problems import conflict, invalid, not_found
from shared.uow import UnitOfWork, now


def _load(uow: UnitOfWork, alert_id: str) -> dict[str, Any]:
    alert = db.get(uow.conn, alert_id)
    if alert is None or alert["origin_region"] is None:
        raise not_found("alert")
    return alert


def _targeted(alert: dict[str, Any], region: str) -> bool:
    """A target must acknowledge the alert."""
    return region in alert["targets"]


def _involved(uow: UnitOfWork, alert: dict[str, Any], region: str) -> bool:
    """Targets, and regions asked for reinforcement, take part in an alert: they read it and report on it."""
    return _targeted(alert, region) or region in db.asked_regions(uow.conn, alert["id"])


def _authorize_write(uow: UnitOfWork, action: str, alert: dict[str, Any], involved: bool) -> None:
    uow.authorize_write(action, alert["origin_region"], involved, record=alert["id"], agencies=agencies_of(alert))


def _require_open(alert: dict[str, Any], doing: str) -> None:
    try:
        domain.check_open(Status(alert["status"]), doing)
    except AlertRuleError as error:
        raise conflict(str(error), alert["status"]) from None


def raise_alert(uow: UnitOfWork, body: RaiseAlert, deadlines: Mapping[Severity, int]) -> dict[str, Any]:
    uow.authorize_write("alerts.raise")
    at = now()
    try:
        targets = domain.resolve_targets(uow.region, body.targets)
        domain.check_validity(at, body.valid_until)
    except AlertRuleError as error:
        raise invalid("targets" if "target" in str(error) else "valid_until", str(error)) from None
    alert_id = str(uuid.uuid4())
    data = ev.Raised(
        alert_id=alert_id,
        version=1,
        category=body.category,
        severity=body.severity,
        title=body.title,
        description=body.description,
        location=body.location,
        subjects=body.subjects,
        action=body.action,
        targets=[t.value for t in targets],
        valid_until=body.valid_until,
        raised_at=at,
        ack_due=domain.ack_due(at, body.severity, deadlines),
    )
    apply(uow, uow.emit(ev.RAISED, alert_id, data))
    return read_model(uow, alert_id)


def acknowledge(uow: UnitOfWork, alert_id: str) -> dict[str, Any]:
    alert = _load(uow, alert_id)
    _authorize_write(uow, "alerts.acknowledge", alert, _targeted(alert, uow.region.value))
    _require_open(alert, "acknowledge")
    here = uow.region.value
    if any(a["region"] == here and a["acknowledged_at"] for a in db.acks(uow.conn, alert_id)):
        raise conflict(f"{here} has already acknowledged this alert", alert["status"])
    apply(
        uow, uow.emit(ev.ACKNOWLEDGED, alert_id, ev.Acknowledged(alert_id=alert_id, region=here, acknowledged_at=now()))
    )
    return read_model(uow, alert_id)


def report_sighting(uow: UnitOfWork, alert_id: str, body: ReportSighting) -> dict[str, Any]:
    alert = _load(uow, alert_id)
    _authorize_write(uow, "alerts.report_sighting", alert, _involved(uow, alert, uow.region.value))
    _require_open(alert, "report a sighting on")
    data = ev.SightingReported(
        sighting_id=str(uuid.uuid4()),
        alert_id=alert_id,
        seen_at=body.seen_at,
        location=body.location,
        details=body.details,
    )
    apply(uow, uow.emit(ev.SIGHTING_REPORTED, alert_id, data))
    return read_model(uow, alert_id)


def request_reinforcement(uow: UnitOfWork, alert_id: str, body: RequestReinforcement) -> dict[str, Any]:
    alert = _load(uow, alert_id)
    _authorize_write(uow, "alerts.manage", alert, False)
    _require_open(alert, "request reinforcement for")
    if body.to_region == uow.region:
        raise invalid("to_region", "reinforcement is requested from another region")
    data = ev.ReinforcementRequested(
        request_id=str(uuid.uuid4()),
        alert_id=alert_id,
        to_region=body.to_region.value,
        units=body.units,
        kind=body.kind,
        rendezvous=body.rendezvous,
        requested_at=now(),
    )
    apply(uow, uow.emit(ev.REINFORCEMENT_REQUESTED, alert_id, data))
    return db.get_reinforcement(uow.conn, data.request_id)


def answer_reinforcement(uow: UnitOfWork, request_id: str, body: AnswerReinforcement) -> dict[str, Any]:
    request = db.get_reinforcement(uow.conn, request_id)
    if request is None or request["alert_id"] is None:
        raise not_found("reinforcement request")
    alert = _load(uow, request["alert_id"])
    _authorize_write(uow, "alerts.answer_reinforcement", alert, involved=request["to_region"] == uow.region.value)
    try:
        domain.check_answerable(request["status"])
    except AlertRuleError as error:
        raise conflict(str(error), request["status"]) from None
    data = ev.ReinforcementAnswered(
        request_id=request_id,
        alert_id=alert["id"],
        outcome=body.outcome,
        units=body.units,
        eta=body.eta,
        reason=body.reason,
        answered_at=now(),
    )
    apply(uow, uow.emit(ev.REINFORCEMENT_ANSWERED, alert["id"], data))
    return db.get_reinforcement(uow.conn, request_id)


def update_alert(uow: UnitOfWork, alert_id: str, body: UpdateAlert) -> dict[str, Any]:
    alert = _load(uow, alert_id)
    _authorize_write(uow, "alerts.manage", alert, False)
    _require_open(alert, "update")
    data = ev.Updated(
        alert_id=alert_id,
        version=alert["version"] + 1,
        description=body.description,
        location=body.location,
        updated_at=now(),
    )
    apply(uow, uow.emit(ev.UPDATED, alert_id, data))
    return read_model(uow, alert_id)


def close_alert(uow: UnitOfWork, alert_id: str, outcome: str) -> dict[str, Any]:
    alert = _load(uow, alert_id)
    _authorize_write(uow, "alerts.manage", alert, False)
    _require_open(alert, "close")
    data = ev.Closed(alert_id=alert_id, version=alert["version"] + 1, outcome=outcome, closed_at=now())
    apply(uow, uow.emit(ev.CLOSED, alert_id, data))
    return read_model(uow, alert_id)


def apply(uow: UnitOfWork, event: Any) -> None:
    """Apply any alerts event to the read model: own events when written, others' on arrival."""
    data, conn = event.data, uow.conn
    if event.type is ev.RAISED:
        # Details fill in whatever state arrived first (an update or closure read from the same topic
        # earlier cannot happen, but a stub made by an out-of-order consumer restart can).
        values = {
            "id": data.alert_id,
            "version": data.version,
            "status": Status.ACTIVE,
            "origin_region": event.region.value,
            "agency": event.agency,
            **data.model_dump(exclude={"alert_id", "version"}),
        }
        records.merge(conn, "alerts", values, keep=("status", "version"))
        for target in data.targets:
            db.set_ack_due(conn, data.alert_id, target, data.ack_due)
        detail = {"severity": data.severity.value, "targets": data.targets, "ack_due": data.ack_due.isoformat()}
    elif event.type is ev.ACKNOWLEDGED:
        recorded = db.record_ack(conn, data.alert_id, data.region, data.acknowledged_at, event.actor)
        alert = db.get(conn, data.alert_id)
        if recorded and alert and alert["origin_region"] == uow.region.value and alert["raised_at"]:
            waited = (data.acknowledged_at - datetime.fromisoformat(alert["raised_at"])).total_seconds()
            TIME_TO_ACK.labels(uow.region.value, alert["severity"], data.region).observe(max(waited, 0))
        detail = {"region": data.region}
    elif event.type is ev.ESCALATED:
        db.record_escalation(conn, data.alert_id, data.region, data.escalated_at)
        detail = {"region": data.region, "ack_due": data.ack_due.isoformat()}
    elif event.type is ev.SIGHTING_REPORTED:
        db.add_sighting(
            conn,
            {
                "id": data.sighting_id,
                "alert_id": data.alert_id,
                "region": event.region.value,
                "seen_at": data.seen_at,
                "location": data.location,
                "details": data.details,
            },
        )
        detail = {"sighting_id": data.sighting_id, "address": data.location.address}
    elif event.type is ev.REINFORCEMENT_REQUESTED:
        records.merge(
            conn,
            "reinforcements",
            {
                "id": data.request_id,
                "alert_id": data.alert_id,
                "from_region": event.region.value,
                "to_region": data.to_region,
                "units": data.units,
                "kind": data.kind,
                "rendezvous": data.rendezvous,
                "requested_at": data.requested_at,
            },
            keep=("status",),
        )
        detail = {"request_id": data.request_id, "to_region": data.to_region, "units": data.units}
    elif event.type is ev.REINFORCEMENT_ANSWERED:
        records.merge(
            conn,
            "reinforcements",
            {
                "id": data.request_id,
                "alert_id": data.alert_id,
                "status": data.outcome,
                "dispatched_units": data.units,
                "eta": data.eta,
                "reason": data.reason,
                "answered_at": data.answered_at,
            },
        )
        detail = {"request_id": data.request_id, "outcome": data.outcome}
    elif event.type is ev.UPDATED:
        changes = {k: v for k, v in (("description", data.description), ("location", data.location)) if v is not None}
        records.apply_versioned(
            conn, "alerts", data.alert_id, data.version, status=Status.ACTIVE, updated_at=data.updated_at, **changes
        )
        detail = {"changed": sorted(changes)}
    elif event.type is ev.CLOSED:
        records.apply_versioned(
            conn,
            "alerts",
            data.alert_id,
            data.version,
            status=Status(data.outcome),
            outcome=data.outcome,
            closed_at=data.closed_at,
        )
        detail = {"outcome": data.outcome}
    else:
        return
    records.add_timeline(conn, event, data.alert_id, detail)


def scan(uow: UnitOfWork) -> None:
    """Owner only: escalate each target past its acknowledgement deadline once; close expired alerts."""
    at, here = now(), uow.region.value
    for row in db.pending_escalations(uow.conn, here, at):
        due = datetime.fromisoformat(row["due_at"])
        state = AckState(row["region"], due, None, None)
        if domain.due_for_escalation(Status.ACTIVE, [state], at):
            apply(
                uow,
                uow.emit(
                    ev.ESCALATED,
                    row["alert_id"],
                    ev.Escalated(alert_id=row["alert_id"], region=row["region"], ack_due=due, escalated_at=at),
                ),
            )
            ESCALATIONS.labels(here, row["region"]).inc()
    for row in db.expiring(uow.conn, here, at):
        apply(
            uow,
            uow.emit(
                ev.CLOSED,
                row["id"],
                ev.Closed(alert_id=row["id"], version=row["version"] + 1, outcome="expired", closed_at=at),
            ),
        )


def read_model(uow: UnitOfWork, alert_id: str) -> dict[str, Any]:
    alert = _load(uow, alert_id)
    return {
        **alert,
        "acknowledgements": db.acks(uow.conn, alert_id),
        "sightings": db.sightings(uow.conn, alert_id),
        "reinforcement_requests": db.reinforcements(uow.conn, alert_id),
        "timeline": records.timeline(uow.conn, alert_id),
    }


def _readable(uow: UnitOfWork, alert: dict[str, Any]) -> bool:
    involved = _involved(uow, alert, uow.acting_region)
    return uow.may_read("alerts.read", alert["origin_region"], involved, agencies_of(alert))


def read(uow: UnitOfWork, alert_id: str) -> dict[str, Any]:
    alert = _load(uow, alert_id)
    involved = _involved(uow, alert, uow.acting_region)
    uow.authorize_read("alerts.read", alert_id, alert["origin_region"], involved, agencies_of(alert))
    return read_model(uow, alert_id)


def search(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.require_any_grant("alerts.read")
    result = db.search(uow.conn, filters, limit, cursor)
    return {**result, "items": [a for a in result["items"] if _readable(uow, a)]}
