"""Delivery evidence (after ETSI EN 319 522 / e-CODEX): receipts signed by the region where each step
happened, with its event key (shared/adapters/signing.py), and the export the sender gives a court or an
auditor: one JSON document, itself signed, that `yrd evidence verify` checks offline against the trust
file's public keys.

A receipt is signed over its canonical JSON (keys sorted, no whitespace) behind a context line, so a
receipt's signature can never pass for an event's. Each recipient's chain is linked by hashes: a receipt
names the SHA-256 of the one before it, so none can be removed, reordered or replaced unseen.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature

from services.procuratorate.domain import ORDER
from shared.adapters.signing import EventSigner, EventTrust
from shared.contracts.procuratorate import ReceiptKind

FORMAT = "yrd-evidence/1"
_RECEIPT_CONTEXT = b"yrd-delivery-receipt-v1\n"
_EXPORT_CONTEXT = b"yrd-delivery-evidence-v1\n"
RECORD_FIELDS = ("record_kind", "record_id", "sender_region", "content_sha256")


def canonical(value: Mapping[str, Any]) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def digest(receipt: Mapping[str, Any]) -> str:
    """A receipt's hash as the next one in its chain names it: over everything, the signature included."""
    return hashlib.sha256(canonical(receipt)).hexdigest()


def _unsigned(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "signature"}


def _sign(signer: EventSigner, context: bytes, fields: Mapping[str, Any]) -> dict[str, Any]:
    signed = {**fields, "key_id": signer.kid}
    signature = signer.key.sign(context + canonical(signed))
    return {**signed, "signature": base64.urlsafe_b64encode(signature).decode()}


def sign_receipt(signer: EventSigner, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The receipt with its signer's key id and signature (`fields` as ReceiptIssued has them)."""
    return _sign(signer, _RECEIPT_CONTEXT, fields)


def export(signer: EventSigner, record: Mapping[str, Any], receipts: Sequence[Mapping[str, Any]], at: str) -> dict:
    """The sender's evidence of a record's deliveries, as one signed document."""
    document = {"format": FORMAT, "record": dict(record), "receipts": list(receipts), "exported_at": at}
    return _sign(signer, _EXPORT_CONTEXT, {**document, "exported_by": signer.region.value})


def _signature_holds(trust: EventTrust, context: bytes, signed: Mapping[str, Any], region: str) -> str | None:
    """None if `signed` carries a valid signature by a trusted key of `region`, else why not."""
    trusted = trust.keys.get(str(signed.get("key_id")))
    if trusted is None:
        return f"signed with key {signed.get('key_id')!r}, which the trust file does not hold"
    if trusted.region.value != region:
        return f"signed by {trusted.region.value}'s key, not by {region}"
    try:
        signature = base64.urlsafe_b64decode(str(signed.get("signature", "")))
        trusted.key.verify(signature, context + canonical(_unsigned(signed)))
    except (InvalidSignature, ValueError):
        return "its signature does not verify"
    at = signed.get("at") or signed.get("exported_at")
    try:
        if at and not trusted.valid_at(datetime.fromisoformat(str(at))):
            return f"key {trusted.region.value} was not valid at {at}"
    except ValueError:
        return f"its time {at!r} is not ISO 8601"
    return None


def _name(index: int, receipt: Mapping[str, Any]) -> str:
    return (
        f"receipt {index + 1} ({receipt.get('kind')} → {receipt.get('recipient_region')}, {receipt.get('receipt_id')})"
    )


def verify(document: Mapping[str, Any], trust: EventTrust) -> list[str]:
    """Every problem of an exported evidence document, each naming the receipt it is about; [] if it holds."""
    if document.get("format") != FORMAT:
        return [f"not a {FORMAT} document"]
    record = document.get("record") or {}
    receipts = document.get("receipts") or []
    problems: list[str] = []
    chains: dict[str, list[Mapping[str, Any]]] = {}
    for index, receipt in enumerate(receipts):
        name = _name(index, receipt)
        problems += [f"{name}: {p}" for p in _receipt_problems(receipt, record, chains, trust)]
    for recipient, chain in chains.items():
        if not chain or chain[0].get("kind") != ReceiptKind.SUBMITTED:
            problems.append(f"the chain to {recipient} does not start with its submitted receipt")
    if why := _signature_holds(trust, _EXPORT_CONTEXT, document, str(document.get("exported_by"))):
        problems.append(f"the export: {why}")
    elif record.get("sender_region") != document.get("exported_by"):
        problems.append("the export: not signed by the sending region")
    return problems


def _receipt_problems(
    receipt: Mapping[str, Any],
    record: Mapping[str, Any],
    chains: dict[str, list[Mapping[str, Any]]],
    trust: EventTrust,
) -> list[str]:
    problems = [f"{f} is not the record's" for f in RECORD_FIELDS if receipt.get(f) != record.get(f)]
    recipient = str(receipt.get("recipient_region"))
    chain = chains.setdefault(recipient, [])
    kind = receipt.get("kind")
    expected = ORDER[len(chain)] if len(chain) < len(ORDER) else None
    if kind != expected:
        missing = f"the {expected.value} receipt is missing or out of place" if expected else "the chain was complete"
        problems.append(f"out of order: {missing}")
    signer = record.get("sender_region") if kind == ReceiptKind.SUBMITTED else recipient
    if receipt.get("region") != signer:
        problems.append(f"a {kind} receipt is signed where it happens, by {signer}")
    if why := _signature_holds(trust, _RECEIPT_CONTEXT, receipt, str(receipt.get("region"))):
        problems.append(why)
    previous = digest(chain[-1]) if chain else None
    if receipt.get("previous_sha256") != previous:
        problems.append("previous_sha256 is not the hash of the receipt before it")
    elif chain and str(receipt.get("at", "")) < str(chain[-1].get("at", "")):
        problems.append("it is dated before the receipt it follows")
    chain.append(receipt)
    return problems
