"""Audit entries, published to `{region}.audit` so every region's record of access is kept off-instance too.
They name actors by their token subject and records by id; never a person's name or ID number.

Entries leave in segments: the entries one write batch appended (a group commit of requests, a bulk
request's chunk) go out as one record, in chain order, rather than one record (and one signature, and
one outbox row) per entry. Earlier versions published one entry per record (`recorded`); a rebuild and
`yrd audit verify` read both."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

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


MAX_SEGMENT = 200  # entries per record: ~140 KB, well under the broker's 1 MB, and a bulk chunk's worth


class AuditSegment(Payload):
    """Consecutive entries of one instance's chain, in order: what one write batch appended."""

    entries: list[AuditEntry] = Field(min_length=1, max_length=MAX_SEGMENT)


AUDIT_RECORDED = declare(Domain.AUDIT, "recorded", AuditEntry)  # one entry per record, as published before
AUDIT_SEGMENT = declare(Domain.AUDIT, "segment", AuditSegment)
