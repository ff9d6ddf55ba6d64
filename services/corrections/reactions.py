"""What the home region decides when a corrections event reaches it: a destination's acceptance of a
transfer hands the subject over (ownership moves, the home keeps no copy of the full record)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.corrections import store as db
from services.corrections.domain import SubjectStatus
from services.corrections.ownership import SUBJECT
from shared.contracts import corrections as ev
from shared.contracts.envelope import Event
from shared.core.route import Table
from shared.core.uow import UnitOfWork


def reactions(transfer_report_in_seconds: int) -> Table:
    def hand_over(uow: UnitOfWork, event: Event) -> None:
        """The destination accepted (it fetched the full record when accepting): ownership moves there and
        the subject must report in at the new place within the transfer window (7 days)."""
        accepted: ev.TransferAccepted = event.data
        subject = db.get(uow.conn, accepted.subject_id)
        if not SUBJECT.owned_by(subject, uow.region):
            return  # only the home region hands over
        transfer = db.get_transfer(uow.conn, accepted.transfer_id)
        if subject["status"] != SubjectStatus.TRANSFER_PENDING or transfer is None:
            return
        at = datetime.now(UTC)
        data = ev.OwnershipTransferred(
            subject_id=subject["id"],
            version=subject["version"] + 1,
            transfer_id=accepted.transfer_id,
            from_region=uow.region.value,
            to_region=transfer["destination"],
            transferred_at=at,
            report_in_due=at + timedelta(seconds=transfer_report_in_seconds),
        )
        uow.emit(ev.OWNERSHIP_TRANSFERRED, subject["id"], data)
        db.drop_details(uow.conn, subject["id"])

    return {ev.TRANSFER_ACCEPTED: hand_over}
