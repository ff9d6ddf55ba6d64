"""Form fields, and how a submitted form becomes the API's JSON body (pure). A field's name is its dotted
path in the body (`location.lat`, `parties.0.name`); empty optional fields are left out, times a person
types in Beijing time are sent with their offset, and a list typed one item a line becomes a list."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.desk.messages import ENUMS
from shared.contracts.regions import ZONE_TZ


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # a key of the text catalogue (services/desk/texts.py)
    # text, textarea, lines, select, multi, number, integer, date, datetime, file, files, bool (a checkbox),
    # code (a violation code, chosen from the benchmarks in force the page lists)
    kind: str = "text"
    enum: str | None = None  # the catalogue's enum for a select or multi
    required: bool = True
    choices: tuple[str, ...] | None = None  # a subset of the enum's values


class Invalid(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def allowed(field: Field) -> tuple[str, ...]:
    """The values a select or multi offers: its declared choices, else every value of its enum."""
    return field.choices or tuple(ENUMS.get(field.enum or "", {}))


def _value(field: Field, raw: Any) -> Any:
    if field.kind == "multi":
        values = [str(v) for v in raw]
        if any(v not in allowed(field) for v in values):
            raise Invalid(field.name, "not one of the choices")
        return values
    text = str(raw).strip()
    if field.kind == "select" and text not in allowed(field):
        raise Invalid(field.name, "not one of the choices")  # a hand-made URL or form, never a 500 later
    if field.kind == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if field.kind == "number":
        try:
            return float(text) if "." in text or "e" in text.lower() else int(text)
        except ValueError:
            raise Invalid(field.name, "number") from None
    if field.kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise Invalid(field.name, "integer") from None
    if field.kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise Invalid(field.name, "date") from None
    if field.kind == "datetime":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise Invalid(field.name, "datetime") from None
        return (moment if moment.tzinfo else moment.replace(tzinfo=ZONE_TZ)).isoformat()
    return text


def _put(body: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = body
    for part, following in itertools.pairwise(parts):
        index: Any = int(part) if part.isdigit() else part
        if isinstance(node, list):
            while len(node) <= index:
                node.append({})
            node = node[index]
        else:
            node = node.setdefault(index, [] if following.isdigit() else {})
    last = parts[-1]
    if isinstance(node, list):
        node.append(value)
    else:
        node[last] = value


def body_of(fields: tuple[Field, ...], form: dict[str, Any]) -> dict[str, Any]:
    """The JSON body from the form's values (files are the caller's: their names and hashes go in by hand).
    Raises Invalid naming a required field left empty, a value that is not of its kind, or a select's value
    outside its choices."""
    body: dict[str, Any] = {}
    for field in fields:
        if field.kind in ("file", "files"):
            continue
        if field.kind == "bool":  # a checkbox: absent is no
            _put(body, field.name, str(form.get(field.name, "")).strip() in ("on", "true", "1"))
            continue
        raw = form.get(field.name, [] if field.kind == "multi" else "")
        empty = not raw if field.kind == "multi" else not str(raw).strip()
        if empty:
            if field.required:
                raise Invalid(field.name, "required")
            continue
        _put(body, field.name, _value(field, raw))
    return body
