"""What the origin region does when an alert event reaches it: it times each target's acknowledgement
(the joint-response SLA). Escalation and expiry are decided by the origin's scanner (service.scan), not
in answer to an event."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from services.alerts import store as db
from services.alerts.metrics import TIME_TO_ACK
from services.alerts.ownership import ALERT
from shared.contracts import alerts as ev
from shared.contracts.envelope import Event
from shared.core.route import Table
from shared.core.uow import UnitOfWork


def time_acknowledgement(uow: UnitOfWork, event: Event) -> None:
    data: ev.Acknowledged = event.data
    alert = db.get(uow.conn, data.alert_id)
    if ALERT.owned_by(alert, uow.region) and alert["raised_at"]:
        waited = (data.acknowledged_at - datetime.fromisoformat(alert["raised_at"])).total_seconds()
        timer = TIME_TO_ACK.labels(uow.region.value, alert["severity"], data.region)
        uow.after_commit(partial(timer.observe, max(waited, 0)))


REACTIONS: Table = {ev.ACKNOWLEDGED: time_acknowledgement}
