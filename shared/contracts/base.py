"""Event types are declared once, here and in the per-domain modules beside it.

A type string is `cn.yrd.{domain}.{name}.v{version}`. The registry maps every type string to its payload
model, so a consumer can tell an unknown type from an unknown version of a known one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from shared.contracts.regions import Domain


class Payload(BaseModel):
    """Base of every event payload: strict about unknown fields, immutable once built."""

    model_config = ConfigDict(extra="forbid", frozen=True)


P = TypeVar("P", bound=Payload)

_TYPE_RE = re.compile(r"^cn\.yrd\.(?P<domain>[a-z]+)\.(?P<name>[a-z-]+)\.v(?P<version>\d+)$")


@dataclass(frozen=True)
class EventType(Generic[P]):
    domain: Domain
    name: str
    version: int
    model: type[P]

    @property
    def type(self) -> str:
        return f"cn.yrd.{self.domain.value}.{self.name}.v{self.version}"


class UnknownEventType(LookupError):
    """Neither this type nor any version of it is declared."""


class UnknownEventVersion(LookupError):
    """The type is declared, but not in this version."""


REGISTRY: dict[str, EventType[Any]] = {}


def declare(domain: Domain, name: str, model: type[P], version: int = 1) -> EventType[P]:
    event_type = EventType(domain, name, version, model)
    if event_type.type in REGISTRY:
        raise ValueError(f"event type declared twice: {event_type.type}")
    REGISTRY[event_type.type] = event_type
    return event_type


def lookup(type_string: str) -> EventType[Any]:
    found = REGISTRY.get(type_string)
    if found is not None:
        return found
    match = _TYPE_RE.match(type_string)
    if match and any(t.domain.value == match["domain"] and t.name == match["name"] for t in REGISTRY.values()):
        raise UnknownEventVersion(type_string)
    raise UnknownEventType(type_string)


def json_schemas(declared: Iterable[Any] | None = None) -> dict[str, dict[str, Any]]:
    """JSON Schema of each declared type's model (every event type's by default), keyed by type string and
    sorted by it (exported by `yrd schemas`)."""
    schemas = {}
    for declared_type in sorted(REGISTRY.values() if declared is None else declared, key=lambda d: d.type):
        schema = declared_type.model.model_json_schema()
        schema["$id"] = declared_type.type
        schemas[declared_type.type] = schema
    return schemas
