"""Alert commands as units of work: the routes' and the origin's deadline scanner. What the events do to
the read model is in projection.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.alerts import domain
from services.alerts import store as db
from services.alerts.domain import AckState, AlertRuleError, AlertStatus
from services.alerts.metrics import ESCALATIONS
from services.alerts.models import AnswerReinforcement, RequestReinforcement, UpdateAlert
from services.alerts.ownership import ALERT, asked, targeted
from services.alerts.queries import load, read_model
from services.alerts.rows import AlertRow, ReinforcementRow
from shared.contracts import alerts as ev
from shared.contracts.alerts import Severity
from shared.contracts.commands import RaiseAlert, ReportSighting
from shared.contracts.ids import new_id
from shared.contracts.problems import conflict, invalid, not_found
from shared.core.uow import UnitOfWork, now


def _require_open(alert: AlertRow, doing: str) -> None:
    try:
        domain.check_open(AlertStatus(alert["status"]), doing)
    except AlertRuleError as error:
        raise conflict(str(error), alert["status"]) from None


def raise_alert(uow: UnitOfWork, body: RaiseAlert, deadlines: Mapping[Severity, int]) -> dict[str, Any]:
    uow.access.authorize_write("alerts.raise")
    at = now()
    try:
        targets = domain.resolve_targets(uow.region, body.targets)
        domain.check_validity(at, body.valid_until)
    except AlertRuleError as error:
        raise invalid("targets" if "target" in str(error) else "valid_until", str(error)) from None
    alert_id = new_id()
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
    uow.emit(ev.RAISED, alert_id, data)
    return read_model(uow, alert_id)


def acknowledge(uow: UnitOfWork, alert_id: str) -> dict[str, Any]:
    alert = load(uow, alert_id)
    uow.access.authorize_write("alerts.acknowledge", ALERT, alert, involved=targeted(alert, uow.region.value))
    _require_open(alert, "acknowledge")
    here = uow.region.value
    if any(a["region"] == here and a["acknowledged_at"] for a in db.acks(uow.conn, alert_id)):
        raise conflict(f"{here} has already acknowledged this alert", alert["status"])
    uow.emit(ev.ACKNOWLEDGED, alert_id, ev.Acknowledged(alert_id=alert_id, region=here, acknowledged_at=now()))
    return read_model(uow, alert_id)


def report_sighting(uow: UnitOfWork, alert_id: str, body: ReportSighting) -> dict[str, Any]:
    alert = load(uow, alert_id)
    uow.access.authorize_write("alerts.report_sighting", ALERT, alert)
    _require_open(alert, "report a sighting on")
    data = ev.SightingReported(
        sighting_id=new_id(),
        alert_id=alert_id,
        seen_at=body.seen_at,
        location=body.location,
        details=body.details,
    )
    uow.emit(ev.SIGHTING_REPORTED, alert_id, data)
    return read_model(uow, alert_id)


def request_reinforcement(uow: UnitOfWork, alert_id: str, body: RequestReinforcement) -> ReinforcementRow | None:
    alert = load(uow, alert_id)
    uow.access.authorize_write("alerts.manage", ALERT, alert, involved=False)
    _require_open(alert, "request reinforcement for")
    if body.to_region == uow.region:
        raise invalid("to_region", "reinforcement is requested from another region")
    data = ev.ReinforcementRequested(
        request_id=new_id(),
        alert_id=alert_id,
        to_region=body.to_region.value,
        units=body.units,
        kind=body.kind,
        rendezvous=body.rendezvous,
        requested_at=now(),
    )
    uow.emit(ev.REINFORCEMENT_REQUESTED, alert_id, data)
    return db.get_reinforcement(uow.conn, data.request_id)


def answer_reinforcement(uow: UnitOfWork, request_id: str, body: AnswerReinforcement) -> ReinforcementRow | None:
    request = db.get_reinforcement(uow.conn, request_id)
    if request is None or request["alert_id"] is None:
        raise not_found("reinforcement request")
    alert = load(uow, request["alert_id"])
    uow.access.authorize_write("alerts.answer_reinforcement", ALERT, alert, involved=asked(request, uow.region.value))
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
    uow.emit(ev.REINFORCEMENT_ANSWERED, alert["id"], data)
    return db.get_reinforcement(uow.conn, request_id)


def update_alert(uow: UnitOfWork, alert_id: str, body: UpdateAlert) -> dict[str, Any]:
    alert = load(uow, alert_id)
    uow.access.authorize_write("alerts.manage", ALERT, alert, involved=False)
    _require_open(alert, "update")
    data = ev.Updated(
        alert_id=alert_id,
        version=alert["version"] + 1,
        description=body.description,
        location=body.location,
        updated_at=now(),
    )
    uow.emit(ev.UPDATED, alert_id, data)
    return read_model(uow, alert_id)


def close_alert(uow: UnitOfWork, alert_id: str, outcome: str) -> dict[str, Any]:
    alert = load(uow, alert_id)
    uow.access.authorize_write("alerts.manage", ALERT, alert, involved=False)
    _require_open(alert, "close")
    data = ev.Closed(alert_id=alert_id, version=alert["version"] + 1, outcome=outcome, closed_at=now())
    uow.emit(ev.CLOSED, alert_id, data)
    return read_model(uow, alert_id)


def scan(uow: UnitOfWork) -> None:
    """Owner only: escalate each target past its acknowledgement deadline once; close expired alerts."""
    at, here = now(), uow.region.value
    for row in db.pending_escalations(uow.conn, here, at):
        due = datetime.fromisoformat(row["due_at"])
        state = AckState(row["region"], due, None, None)
        if domain.due_for_escalation(AlertStatus.ACTIVE, [state], at):
            data = ev.Escalated(alert_id=row["alert_id"], region=row["region"], ack_due=due, escalated_at=at)
            uow.emit(ev.ESCALATED, row["alert_id"], data)
            uow.after_commit(ESCALATIONS.labels(here, row["region"]).inc)
    for row in db.expiring(uow.conn, here, at):
        closed = ev.Closed(alert_id=row["id"], version=row["version"] + 1, outcome="expired", closed_at=at)
        uow.emit(ev.CLOSED, row["id"], closed)
