"""Opaque cursors for keyset pagination (newest first): base64url of the last row's sort key."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, Field

from shared.contracts.problems import invalid

# What encode_cursor writes: unpadded base64url. Declared so a client can tell a mangled cursor before sending
# it; an empty one asks for the first page. That a cursor decodes to a sort key is for the server to check.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$"
Cursor = Annotated[str, Field(json_schema_extra={"pattern": CURSOR_PATTERN})]


def encode_cursor(*key: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int) -> list:
    try:
        key = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise invalid("cursor", "not a cursor this API returned") from None
    if not isinstance(key, list) or len(key) != parts or not all(_scalar(k) for k in key):
        raise invalid("cursor", "not a cursor this API returned")
    return key


def _scalar(value: object) -> bool:
    """Sort keys are text or numbers; anything else was not made by encode_cursor."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def page(rows: list, limit: int, key_of) -> dict:
    """`rows` were fetched with limit + 1: the extra row only says whether there is a next page."""
    items = rows[:limit]
    next_cursor = encode_cursor(*key_of(items[-1])) if len(rows) > limit and items else None
    return {"items": items, "next_cursor": next_cursor}


class PageQuery(BaseModel):
    """Query parameters of a list route: the page, plus each service's filters (fields of a subclass),
    validated in one pass. Unknown parameters are ignored."""

    limit: int = Field(20, ge=1, le=100)
    cursor: Cursor | None = None

    def filters(self) -> dict[str, Any]:
        return self.model_dump(exclude={"limit", "cursor"})
