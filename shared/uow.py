"""A unit of work: one store transaction holding a change, its outgoing events, its audit entries and
(for HTTP writes) the idempotency record. Handlers of incoming events get one too, without a principal."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared import audit, outbox
from shared.auth.policy import DataClass, Scope, allowed, purpose_allowed, scope_of, write_scope
from shared.auth.tokens import Principal
from shared.contracts.audit import AUDIT_RECORDED
from shared.contracts.base import EventType, Payload
from shared.envelope import Event
from shared.problems import Denied
from shared.regions import Region
from shared.settings import Settings
from shared.topics import topic


def now() -> datetime:
    """The one clock of the use cases (UTC, timezone-aware)."""
    return datetime.now(UTC)


@dataclass
class UnitOfWork:
    conn: sqlite3.Connection
    region: Region
    source: str
    topic_prefix: str
    correlation_id: str
    principal: Principal | None = None
    purpose: str | None = None
    causation_id: str | None = None

    @classmethod
    def for_instance(
        cls, settings: Settings, conn: sqlite3.Connection, correlation_id: str | None = None, **extra: Any
    ) -> UnitOfWork:
        """A unit of work of this instance: its region, source and topic namespace."""
        return cls(
            conn=conn,
            region=settings.region,
            source=settings.source,
            topic_prefix=settings.topic_prefix,
            correlation_id=correlation_id or str(uuid.uuid4()),
            **extra,
        )

    @property
    def actor(self) -> str | None:
        """Who acts: the token subject for HTTP work, None for event handlers and scanners."""
        return self.principal.subject if self.principal else None

    def may_read(self, action: str, owner: str, involved: bool = False) -> bool:
        """Whether the policy lets this principal read a record of `owner` (for filtering collections)."""
        principal = self._require_principal()
        return allowed(principal.roles, action, scope_of(principal.region, owner, involved))

    def authorize_read(self, action: str, record: str, owner: str, involved: bool = False) -> None:
        """A read of shared, non-sensitive data: granted or denied by the table; only denials are audited."""
        principal = self._require_principal()
        self.authorize(
            action, scope_of(principal.region, owner, involved), record=record, owner=owner, audit_allowed=False
        )

    def authorize_write(
        self,
        action: str,
        owner: str | None = None,
        involved: bool = False,
        record: str | None = None,
        data_class: DataClass | None = None,
        audit_allowed: bool = True,
    ) -> None:
        """A write (or an act) at this instance on a record of `owner` (default: this region); a token of
        another region acting through this instance is never granted."""
        principal = self._require_principal()
        here = self.region.value
        scope = write_scope(principal.region, here, owner or here, involved)
        self.authorize(action, scope, record=record, owner=owner, data_class=data_class, audit_allowed=audit_allowed)

    def read_held(
        self,
        action: str,
        data_class: DataClass,
        record: str,
        holder: str,
        involved: bool,
        read: Callable[[], dict[str, Any]],
    ) -> dict[str, Any] | None:
        """A sensitive read of detail that `holder` keeps: authorised (purpose included) and audited here;
        served if this instance is the holder, else None: the caller relays it to the holder."""
        principal = self._require_principal()
        self.authorize(
            action, scope_of(principal.region, holder, involved), record=record, owner=holder, data_class=data_class
        )
        return read() if holder == self.region.value else None

    def emit(self, event_type: EventType[Any], subject: str, data: Payload) -> Event:
        event = Event(
            type=event_type,
            data=data,
            subject=subject,
            region=self.region,
            source=self.source,
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
        )
        outbox.add(self.conn, topic(self.region, event_type.domain, self.topic_prefix), event)
        return event

    def authorize(
        self,
        action: str,
        scope: Scope,
        record: str | None = None,
        owner: str | None = None,
        data_class: DataClass | None = None,
        audit_allowed: bool = True,
    ) -> None:
        """Deny by default: raise Denied unless the policy grants it (and the purpose fits the data)."""
        principal = self._require_principal()
        if not allowed(principal.roles, action, scope):
            raise Denied(action, f"{action} is not granted for {scope.value} records", record, owner, self.purpose)
        if data_class is not None and not purpose_allowed(data_class, self.purpose):
            raise Denied(action, f"purpose missing or not allowed for {data_class.value}", record, owner, self.purpose)
        if audit_allowed or data_class is not None:
            self.record_audit(action, "allowed", record, owner)

    def require_any_grant(self, action: str) -> None:
        """For collection reads: a role with no grant for `action` at all is denied (and audited); the
        rows a granted role may see are then filtered one by one."""
        principal = self._require_principal()
        if not any(allowed(principal.roles, action, scope) for scope in Scope):
            raise Denied(action, f"{action} is not granted to these roles", purpose=self.purpose)

    def record_audit(
        self, action: str, decision: str, record: str | None, owner: str | None, reason: str | None = None
    ) -> None:
        principal = self._require_principal()
        entry = audit.append(
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
        self.emit(AUDIT_RECORDED, str(entry.index), entry)

    def record_denial(self, denied: Denied) -> None:
        self.record_audit(denied.action, "denied", denied.record, denied.owner, denied.reason)

    def _require_principal(self) -> Principal:
        if self.principal is None:
            raise RuntimeError("authorisation needs a principal; event handlers act for their region")
        return self.principal
