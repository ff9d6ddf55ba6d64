"""Identifiers of records and events: UUIDv7 (RFC 9562), made by uuid-utils.

A version 7 UUID starts with its creation time in milliseconds, so the ids an instance makes sort in the
order it made them. Every store indexes them (records, outbox, processed events, timelines, audit index,
in the owning region and in the two that copy its events): random (version 4) ids put each insert on a
random leaf of each of those indexes, and a bulk chunk of 200 lines dirtied several pages per line that
the WAL wrote and the checkpoint wrote again; time-ordered ids fill the rightmost leaf instead, which
halved the bytes a bulk line writes. 74 random bits remain: an id is still unguessable in practice, and
none is a secret (a filing's status needs its code too); what it tells is when it was made, which the
record says anyway.
"""

from uuid_utils import uuid7


def new_id() -> str:
    """A new identifier for a record or an event (also used as a correlation id)."""
    return str(uuid7())
