"""The security headers a page for people answers with (the operations page, the desk): its content
security policy and the rest, on every answer, as a pure ASGI middleware (no per-request task hop)."""

from __future__ import annotations

from typing import Any

BASE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


class PageHeaders:
    """`csp`: the page's content security policy; `secure`: served over TLS (HSTS too)."""

    def __init__(self, app: Any, csp: str, secure: bool = False) -> None:
        self.app = app
        headers = {"content-security-policy": csp, **BASE}
        if secure:
            headers["strict-transport-security"] = "max-age=31536000"
        self.headers = [(name.encode(), value.encode()) for name, value in headers.items()]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)
