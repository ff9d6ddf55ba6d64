"""Issuing a delivery's receipts: each signed by this region, chained to the one before it in its
recipient's chain, and published as an event so the sender sees it on the record."""

from __future__ import annotations

import hashlib
from typing import Any

from services.procuratorate import domain, evidence
from services.procuratorate import store as db
from shared.adapters.signing import EventSigner
from shared.contracts import procuratorate as ev
from shared.contracts.ids import new_id
from shared.contracts.procuratorate import ReceiptKind
from shared.core.uow import UnitOfWork, now


def content_hash(payload: ev.Payload) -> str:
    """What was sent, as each side computes it from the event it holds."""
    return hashlib.sha256(evidence.canonical(payload.model_dump(mode="json"))).hexdigest()


def issue(
    uow: UnitOfWork,
    signer: EventSigner,
    record: dict[str, Any],
    kind: ReceiptKind,
    recipient: str,
    actor: str | None = None,
) -> bool:
    """Sign and publish the next receipt of `recipient`'s chain, if `kind` is the one it earns next.
    `record`: record_kind, record_id, sender_region, content_sha256 as this region holds them."""
    chain = db.chain(uow.conn, record["record_id"], recipient)
    if domain.next_receipt([ReceiptKind(r["kind"]) for r in chain]) is not kind:
        return False
    fields = {
        "receipt_id": new_id(),
        **record,
        "kind": kind.value,
        "recipient_region": recipient,
        "region": uow.region.value,
        "at": now().isoformat(),
        "actor": actor,
        "previous_sha256": evidence.digest(chain[-1]) if chain else None,
    }
    signed = evidence.sign_receipt(signer, fields)
    uow.emit(ev.RECEIPT_ISSUED, record["record_id"], ev.ReceiptIssued(**signed))
    return True


def shown(uow: UnitOfWork, signer: EventSigner, record: dict[str, Any], opened_by: str | None = None) -> None:
    """The receiving office has been shown the record (delivered); `opened_by` a named person opened it
    (retrieved). Issued here, in the recipient's region, once each."""
    recipient = uow.region.value
    if recipient == record["sender_region"]:
        return
    issue(uow, signer, record, ReceiptKind.DELIVERED, recipient)
    if opened_by:
        issue(uow, signer, record, ReceiptKind.RETRIEVED, recipient, actor=opened_by)


def evidence_record(kind: str, record_id: str, sender: str, content_sha256: str) -> dict[str, Any]:
    return {"record_kind": kind, "record_id": record_id, "sender_region": sender, "content_sha256": content_sha256}
