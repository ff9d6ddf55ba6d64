"""A unit of work: one store transaction holding a change and its outgoing events (for HTTP writes, the
idempotency record too). What each event does to this store follows at once, through the instance's
route (projection, then reactions), exactly as for events arriving from other regions.

Who may do the work, and the audit of it, is the `access` collaborator it is given (shared/core/access.py):
the principal and purpose of a request, or none for event handlers and scanners, which act for their region.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared.adapters import outbox, transactions
from shared.adapters.tokens import Principal
from shared.contracts.base import EventType, Payload
from shared.contracts.envelope import Event
from shared.contracts.ids import new_id
from shared.contracts.regions import Region
from shared.contracts.topics import topic
from shared.core.access import Access
from shared.core.settings import Settings


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
    # Who acts, and the audit of it; when not given, the region itself acts (event handlers, scanners).
    access: Access = None  # type: ignore[assignment]  # (set in __post_init__)
    causation_id: str | None = None
    # Rebuilding a store from the topics: events are projected, but no one reacts to them again (the
    # reactions' own events are on the topics too).
    replaying: bool = False
    # Where emitted events go in this store (the projection, then reactions): the same route as events
    # arriving from other regions.
    route: Callable[[UnitOfWork, Event], None] = lambda uow, event: None  # (shared.core.route.EventRoute)

    def __post_init__(self) -> None:
        if self.access is None:
            self.access = Access(self.conn, self.region, self.correlation_id)

    @classmethod
    def for_instance(
        cls,
        settings: Settings,
        conn: sqlite3.Connection,
        correlation_id: str | None = None,
        principal: Principal | None = None,
        purpose: str | None = None,
        **extra: Any,
    ) -> UnitOfWork:
        """A unit of work of this instance (its region, source and topic namespace), for `principal`."""
        correlation_id = correlation_id or new_id()
        access = Access(conn, settings.region, correlation_id, principal, purpose)
        return cls(
            conn=conn,
            region=settings.region,
            source=settings.source,
            topic_prefix=settings.topic_prefix,
            correlation_id=correlation_id,
            access=access,
            **extra,
        )

    @property
    def actor(self) -> str | None:
        """Who acts: the token subject for HTTP work, None for event handlers and scanners."""
        return self.access.actor

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` (a metric of what this work decided) once the work is committed; never if it is
        rolled back, and once however often it is undone and done again."""
        transactions.after_commit(self.conn, action)

    def emit(self, event_type: EventType[Any], subject: str, data: Payload) -> Event:
        event = Event(
            type=event_type,
            data=data,
            subject=subject,
            region=self.region,
            source=self.source,
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
            actor=self.actor,
            agency=self.access.principal.agency if self.access.principal else None,
        )
        outbox.add(self.conn, topic(self.region, event_type.domain, self.topic_prefix), event)
        self.route(self, event)
        return event
