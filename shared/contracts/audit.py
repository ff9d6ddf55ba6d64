"""Audit entries, published to `{region}.audit` so every region's record of access is kept off-instance too.
They name actors by their token subject and records by id; never a person's name or ID number."""

from __future__ import annotations

from datetime import datetime

from shared.contracts.base import Payload, declare
from shared.contracts.regions import Domain


class AuditEntry(Payload):
    index: int
    actor: str
    region: str
    agency: str | None = None
    roles: list[str]
    action: str
    record: str | None = None
    record_owner: str | None = None
    purpose: str | None = None
    decision: str  # "allowed" | "denied"
    reason: str | None = None
    at: datetime
    correlation_id: str
    prev_hash: str
    hash: str


AUDIT_RECORDED = declare(Domain.AUDIT, "recorded", AuditEntry)
