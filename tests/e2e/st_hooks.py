"""Schemathesis hooks for the fuzz suite (loaded through SCHEMATHESIS_HOOKS): NDJSON for the bulk routes.

A generated request body (one command, or a list of them) goes as NDJSON lines; an NDJSON answer must be
JSON on every line, and its first line is what the response schema (one line's result) is checked against."""

from __future__ import annotations

import json
from typing import Any

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx: Any, value: Any) -> bytes:
    items = value if isinstance(value, list) else [value]
    return b"\n".join(json.dumps(item, ensure_ascii=False).encode() for item in items)


@schemathesis.deserializer("application/x-ndjson")
def ndjson_answer(ctx: Any, response: Any) -> Any:
    lines = [json.loads(line) for line in response.content.splitlines() if line.strip()]
    numbers = [line["line"] for line in lines]
    if numbers != sorted(numbers):
        raise ValueError("results are not in line order")
    return lines[0] if lines else {}
