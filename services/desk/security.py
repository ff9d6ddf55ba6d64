"""The desk's safety: a CSRF token on every form (an HMAC of the session id under a key of this process, so
it needs no store and dies with the session), security headers with a CSP that allows no inline script,
and the idle timeout (a session not used for `idle_seconds` is ended here and at the provider)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class Csrf:
    def __init__(self, key: bytes | None = None) -> None:
        self.key = key or secrets.token_bytes(32)

    def token(self, session_id: str) -> str:
        return hmac.new(self.key, f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()

    def valid(self, session_id: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.token(session_id), str(token))


class Idle:
    """When each session was last used by the person (polling does not count)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.seen: dict[str, float] = {}

    def expired(self, session_id: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        last = self.seen.get(session_id)
        return last is not None and now - last > self.seconds

    def touch(self, session_id: str, now: float | None = None) -> None:
        self.seen[session_id] = time.monotonic() if now is None else now

    def forget(self, session_id: str) -> None:
        self.seen.pop(session_id, None)
