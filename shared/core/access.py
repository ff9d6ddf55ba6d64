"""Who may do what, and the record of it: the authorisation and audit collaborator a unit of work is given.

Every decision asks the policy (shared/rules/policy.py) deny-by-default, with the principal's roles, the
scopes a record stands in to this region, the agencies party to it and, for sensitive data, the purpose.
What is allowed is audited as the work goes (`pending_audit`, written by `flush_audit` when the work is
done, so an entry about a record created in the same work names it through `about`), and a denial is
audited on its own once the work it stopped is rolled back (`record_denial`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from shared.adapters import audit
from shared.adapters.tokens import Principal
from shared.contracts.problems import Denied
from shared.contracts.regions import Region
from shared.rules.ownership import Record, RecordKind
from shared.rules.policy import (
    DataClass,
    Scope,
    Scopes,
    agency_party,
    allowed,
    purpose_allowed,
    scope_of,
    write_scope,
)

Agencies = Collection[str] | None  # the agencies party to a record; None: a record the principal is creating


@dataclass
class PendingAudit:
    action: str
    decision: str
    record: str | None
    owner: str | None
    reason: str | None = None


@dataclass
class Access:
    conn: sqlite3.Connection  # the unit of work's transaction: audit entries commit or roll back with it
    region: Region  # this instance's
    correlation_id: str
    principal: Principal | None = None  # None: an event handler or scanner, acting for its region
    purpose: str | None = None  # X-Purpose, for sensitive data
    pending_audit: list[PendingAudit] = field(default_factory=list)

    @property
    def actor(self) -> str | None:
        """Who acts: the token subject for HTTP work, None for event handlers and scanners."""
        return self.principal.subject if self.principal else None

    @property
    def acting_region(self) -> str:
        return self._require_principal().region.value

    def readable(self, action: str, kind: RecordKind, records: Iterable[Record]) -> list[Record]:
        """The records the policy lets this principal read: a list's filter. Unless the kind asks the store
        who takes part, a decision rests on a record's region and agency columns alone, so each distinct
        set of them is decided once per list (a page of twenty rows was twenty policy walks)."""
        decided: dict[tuple[Any, ...], bool] = {}

        def may(record: Record) -> bool:
            key = kind.decided_by(record)
            if key is None:
                return self.may_read(action, kind, record)
            if key not in decided:
                decided[key] = self.may_read(action, kind, record)
            return decided[key]

        return [record for record in records if may(record)]

    def may_read(self, action: str, kind: RecordKind, record: Record) -> bool:
        """Whether the policy lets this principal read `record`."""
        principal = self._require_principal()
        involved = kind.involves(self.conn, record, principal.region)
        scopes = scope_of(principal.region, kind.owner(record), involved)
        party = agency_party(principal.agency, kind.agencies(record), action, scopes)
        return allowed(principal.roles, action, scopes, party)

    def authorize_read(self, action: str, kind: RecordKind, record: Record) -> None:
        """A read of shared, non-sensitive data: granted or denied by the table; only denials are audited."""
        principal = self._require_principal()
        owner = kind.owner(record)
        scopes = scope_of(principal.region, owner, kind.involves(self.conn, record, principal.region))
        self.authorize(
            action, scopes, record=record["id"], owner=owner, audit_allowed=False, agencies=kind.agencies(record)
        )

    def authorize_write(
        self,
        action: str,
        kind: RecordKind | None = None,
        record: Record | None = None,
        *,
        involved: bool | None = None,
        record_id: str | None = None,
        data_class: DataClass | None = None,
        audit_allowed: bool = True,
    ) -> None:
        """A write (or an act) at this instance on `record` of `kind`, whose relation to this region the
        kind declares (`involved` overrides it for an act that asks a narrower one, e.g. only targets
        acknowledge). Without a record: on one of this region's that the principal is creating (so an
        agency system is party to it), named `record_id`. A token of another region acting through this
        instance is never granted."""
        principal = self._require_principal()
        here = self.region.value
        owner, agencies = here, None
        if kind is not None and record is not None:
            owner, agencies, record_id = kind.owner(record), kind.agencies(record), record["id"]
            if involved is None:
                involved = kind.involves(self.conn, record, here)
        scopes = write_scope(principal.region, here, owner, bool(involved))
        self.authorize(
            action,
            scopes,
            record=record_id,
            owner=owner if record is not None else None,
            data_class=data_class,
            audit_allowed=audit_allowed,
            agencies=agencies,
        )

    def read_held(
        self, action: str, data_class: DataClass, kind: RecordKind, record: Record, read: Callable[[], dict[str, Any]]
    ) -> dict[str, Any] | None:
        """A sensitive read of detail that the record's owner under `kind` holds: authorised (purpose
        included) and audited here; served if this instance is the holder, else None: the caller relays it."""
        principal = self._require_principal()
        holder = kind.owner(record)
        scopes = scope_of(principal.region, holder, kind.involves(self.conn, record, principal.region))
        agencies = kind.agencies(record)
        self.authorize(action, scopes, record=record["id"], owner=holder, data_class=data_class, agencies=agencies)
        return read() if holder == self.region.value else None

    def authorize(
        self,
        action: str,
        scopes: Scopes,
        record: str | None = None,
        owner: str | None = None,
        data_class: DataClass | None = None,
        audit_allowed: bool = True,
        agencies: Agencies = (),
    ) -> None:
        """Deny by default: raise Denied unless the policy grants it (and the purpose fits the data)."""
        principal = self._require_principal()
        party = agency_party(principal.agency, agencies, action, scopes)
        if not allowed(principal.roles, action, scopes, party):
            raise Denied(action, f"{action} is not granted for this record", record, owner, self.purpose)
        if data_class is not None and not purpose_allowed(data_class, self.purpose):
            raise Denied(action, f"purpose missing or not allowed for {data_class.value}", record, owner, self.purpose)
        if audit_allowed or data_class is not None:
            self.pending_audit.append(PendingAudit(action, "allowed", record, owner))

    def require_any_grant(self, action: str) -> None:
        """For collection reads: a role with no grant for `action` at all is denied (and audited); the
        rows a granted role may see are then filtered one by one."""
        principal = self._require_principal()
        if not any(allowed(principal.roles, action, scope) for scope in Scope):
            raise Denied(action, f"{action} is not granted to these roles", purpose=self.purpose)

    def about(self, record: str, owner: str | None = None) -> None:
        """Name the record that this work's audit entries so far are about (one it has just created)."""
        for entry in self.pending_audit:
            if entry.record is None:
                entry.record = record
                entry.owner = entry.owner or owner or self.region.value

    def flush_audit(self, reason: str | None = None) -> None:
        """Write the collected entries to the hash chain (and its topic), in the order they were made."""
        entries, self.pending_audit = self.pending_audit, []
        for entry in entries:
            self.record_audit(entry.action, entry.decision, entry.record, entry.owner, entry.reason or reason)

    def record_audit(
        self, action: str, decision: str, record: str | None, owner: str | None, reason: str | None = None
    ) -> None:
        principal = self._require_principal()
        audit.append(  # it leaves for the audit topic with its write batch (Runtime.publish_audit)
            self.conn,
            actor=principal.subject,
            region=principal.region.value,
            agency=principal.agency,
            roles=sorted(r.value for r in principal.roles),
            action=action,
            record=record,
            record_owner=owner,
            purpose=self.purpose,
            decision=decision,
            reason=reason,
            correlation_id=self.correlation_id,
        )

    def record_denial(self, denied: Denied) -> None:
        self.record_audit(denied.action, "denied", denied.record, denied.owner, denied.reason)

    def _require_principal(self) -> Principal:
        if self.principal is None:
            raise RuntimeError("authorisation needs a principal; event handlers act for their region")
        return self.principal
