"""Idempotency keys (a store module): the first answer to a keyed command, kept for its replays, and bound
to what the key was first used for."""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson

from shared.contracts.problems import Problem


def first_answer(conn: sqlite3.Connection, scope: str, key: str, fingerprint: str) -> tuple[int, Any] | None:
    """The answer given the first time `key` was used in `scope`; 422 if it was used for another request."""
    row = conn.execute(
        "SELECT fingerprint, status, body FROM idempotency_keys WHERE scope = ? AND key = ?", (scope, key)
    ).fetchone()
    if row is None:
        return None
    if row["fingerprint"] != fingerprint:
        raise Problem(
            422, "idempotency-key-reused", "Idempotency-Key reused", "this key was used for a different request body"
        )
    return row["status"], orjson.loads(row["body"])


def remember(conn: sqlite3.Connection, scope: str, key: str, fingerprint: str, status: int, body: Any) -> None:
    conn.execute(
        "INSERT INTO idempotency_keys(scope, key, fingerprint, status, body) VALUES (?,?,?,?,?)",
        (scope, key, fingerprint, status, orjson.dumps(body)),
    )
