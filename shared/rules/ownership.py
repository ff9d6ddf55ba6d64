"""Who owns a record and who else takes part in it, declared once per record kind.

Every record has exactly one owning region, which decides its state; some regions take part without
owning it (the receiving window of a filing, the targets of an alert, the destination of a trip), and
some agency systems are party to it. Authorisation, views and reactions all ask a `RecordKind` rather
than comparing region columns by hand, so the answer is the same everywhere.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from shared.contracts.problems import not_found
from shared.contracts.regions import Region
from shared.rules.policy import agencies_of

Record = Mapping[str, Any]
R = TypeVar("R", bound=Record)  # a service's typed row (a TypedDict) of the kind
TakesPart = Callable[[sqlite3.Connection, Record, str], bool]  # (store, record, region) -> involved


@dataclass(frozen=True)
class RecordKind:
    name: str  # as problems name it: "filing", "proof request"
    owner_field: str  # the column naming the owning region
    involved_fields: tuple[str, ...] = ()  # columns naming regions that take part
    takes_part: TakesPart | None = None  # regions that take part by what else the store holds
    agency_fields: tuple[str, ...] = ()  # columns naming the agency systems party to it

    def owner(self, record: Record) -> str:
        return record[self.owner_field]

    def owned_by(self, record: Record | None, region: Region | str) -> bool:
        return record is not None and record[self.owner_field] == Region(region).value

    def involves(self, conn: sqlite3.Connection, record: Record, region: Region | str) -> bool:
        """Whether `region` takes part in the record without owning it (it may own it as well)."""
        name = Region(region).value
        if any(record.get(field) == name for field in self.involved_fields):
            return True
        return self.takes_part is not None and self.takes_part(conn, record, name)

    def decided_by(self, record: Record) -> tuple[Any, ...] | None:
        """What a read decision on `record` rests on: its region and agency columns; None when it also
        asks the store (`takes_part`)."""
        if self.takes_part is not None:
            return None
        return tuple(map(record.get, self.decision_fields))

    @cached_property
    def decision_fields(self) -> tuple[str, ...]:
        """The columns a read decision on a record of this kind reads (unless it also asks the store)."""
        return (self.owner_field, *self.involved_fields, *self.agency_fields)

    def agencies(self, record: Record) -> tuple[str, ...]:
        return agencies_of(dict(record), *self.agency_fields) if self.agency_fields else ()

    def known(self, record: R | None) -> R:
        """The record, if it is one this region knows more of than a stub (its owner); else 404."""
        if record is None or record.get(self.owner_field) is None:
            raise not_found(self.name)
        return record
