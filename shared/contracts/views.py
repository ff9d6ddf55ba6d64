"""What every service's answers share, as response models: the OpenAPI documents every body (so a client
can be generated from it), and the broker-free tests check every answer against it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from shared.contracts.audit import AuditEntry


class View(BaseModel):
    """A documented answer: exactly these fields (a field the code returns but does not document is a bug
    the broker-free tests catch)."""

    model_config = ConfigDict(extra="forbid")


class TimelineEntry(View):
    event_id: str
    type: str  # the event type's name: submitted, received, ...
    at: datetime
    region: str  # the region whose event it was
    actor: str | None  # the officer or agency system behind it, when a person acted
    detail: dict[str, Any]


class DailyCounts(View):
    """How many events of each type each region wrote on one day (Beijing time), counted in the store."""

    day: date
    counts: dict[str, dict[str, int]]  # {writing region: {event name (submitted, accepted, ...): count}}


Item = TypeVar("Item")


class Page(View, Generic[Item]):
    """A page of a collection, newest first; pass `next_cursor` as `cursor` for the next (null: the last)."""

    items: list[Item]
    next_cursor: str | None


AuditPage = Page[AuditEntry]
