"""What a receiving region does when a delivery reaches it: once the record and its submitted receipt are
committed here, it signs the relayed receipt (stating the hash of what it received) and sends it back."""

from __future__ import annotations

from typing import Any

from services.procuratorate import receipts
from services.procuratorate import store as db
from services.procuratorate.config import Config
from services.procuratorate.queries import assistance_evidence, material_evidence, referral_evidence
from shared.contracts import procuratorate as ev
from shared.contracts.envelope import Event
from shared.contracts.procuratorate import ReceiptKind
from shared.core.route import Table
from shared.core.uow import UnitOfWork

_HELD = {
    "referral": (db.referral, referral_evidence),
    "assistance": (db.assistance, assistance_evidence),
    "material": (db.material, material_evidence),
}


def _as_received(uow: UnitOfWork, kind: str, record_id: str) -> dict[str, Any] | None:
    load, describe = _HELD[kind]
    record = load(uow.conn, record_id)
    return describe(record) if record else None


def reactions(config: Config) -> Table:
    def relay(uow: UnitOfWork, event: Event) -> None:
        data: ev.ReceiptIssued = event.data
        if data.kind is not ReceiptKind.SUBMITTED or data.recipient_region != uow.region.value:
            return
        record = _as_received(uow, data.record_kind, data.record_id)
        if record is not None:  # the record's event comes first on the sender's topic, under the same key
            receipts.issue(uow, config.signer, record, ReceiptKind.RELAYED, uow.region.value)

    return {ev.RECEIPT_ISSUED: relay}
