"""The one route every event takes into a region's store, whether this region just emitted it or it
arrived from another region's topic:

    emit (a command, a reaction, a scanner) ─┐
                                             ├─► projection[event.type]  (read model, timeline)
    consumer (another region's event) ───────┘   └─► reactions[event.type] (the owner decides, emits)

A service declares both as tables, one function per event type, so no command has to remember to
apply what it emits, and an event type without an entry changes nothing here (in every service alike).
Reactions never run while a store is rebuilt from the topics: what they emitted is on the topics too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.contracts.base import EventType
from shared.contracts.envelope import Event
from shared.core.uow import UnitOfWork

Handler = Callable[["UnitOfWork", "Event"], None]
Table = Mapping[EventType[Any], Handler]


@dataclass(frozen=True)
class EventRoute:
    projection: Table
    reactions: Table = field(default_factory=dict)

    def __call__(self, uow: UnitOfWork, event: Event) -> None:
        project = self.projection.get(event.type)
        if project is not None:
            project(uow, event)
        react = self.reactions.get(event.type)
        if react is None or uow.replaying:
            return
        # What a reaction emits is caused by the event it answers (and keeps its correlation).
        caused_by, uow.causation_id = uow.causation_id, event.id
        try:
            react(uow, event)
        finally:
            uow.causation_id = caused_by

    def handles(self) -> set[EventType[Any]]:
        return set(self.projection) | set(self.reactions)


NO_ROUTE = EventRoute({})
