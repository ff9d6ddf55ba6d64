"""Event contracts: every event type and its payload model, declared once per producing domain."""

from shared.contracts import alerts, audit, corrections, enforcement, filing, notary, procuratorate  # noqa: F401  (importing declares their event types)
from shared.contracts.base import (
    REGISTRY,
    EventType,
    Payload,
    UnknownEventType,
    UnknownEventVersion,
    declare,
    lookup,
)
from shared.contracts.commands import json_schemas  # events, commands and results

__all__ = [
    "REGISTRY",
    "EventType",
    "Payload",
    "UnknownEventType",
    "UnknownEventVersion",
    "declare",
    "json_schemas",
    "lookup",
]
