"""Retention: once a released subject's retention period has passed, the home region purges the full record
and every region keeps the profile only minimised for statistics (type, period, risk level, status, region),
no longer linked to the person (masked name and ID and the keyed hash are cleared). Run by the home region's
scanner and by `yrd retention run`; each purge is recorded in the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.corrections import domain
from services.corrections import store as db
from shared.adapters.tokens import Principal
from shared.contracts import corrections as ev
from shared.core.uow import UnitOfWork


def purge_due(uow: UnitOfWork, now: datetime, retention_days: int) -> list[str]:
    """Purge every subject of this home region whose retention ran out by `now`; the ids purged."""
    home = uow.region.value
    uow.access.principal = Principal(f"system:retention@{home}", uow.region, frozenset())  # who the audit names
    purged = []
    for row in db.released_before(uow.conn, home, now - timedelta(days=retention_days)):
        released_at = datetime.fromisoformat(row["released_at"])
        if not domain.retention_over(released_at, now, retention_days):
            continue
        data = ev.RecordPurged(subject_id=row["id"], version=row["version"] + 1, released_at=released_at, purged_at=now)
        uow.emit(ev.RECORD_PURGED, row["id"], data)
        reason = f"released {released_at.date().isoformat()}, kept {retention_days} days"
        uow.access.record_audit("corrections.purge", "allowed", row["id"], home, reason)
        purged.append(row["id"])
    return purged
