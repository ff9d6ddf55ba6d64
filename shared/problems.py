"""RFC 9457 problem details: the one shape of every HTTP error this system returns."""

from __future__ import annotations

from typing import Any

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://yrd-legal-link.cn/problems/"


class Problem(Exception):
    def __init__(self, status: int, slug: str, title: str, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": PROBLEM_BASE + self.slug, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


def not_found(what: str) -> Problem:
    return Problem(404, "not-found", "Not found", f"no such {what}")


def conflict(detail: str, current_status: str | None = None) -> Problem:
    extra = {"current_status": current_status} if current_status else {}
    return Problem(409, "invalid-transition", "Not allowed in the current state", detail, **extra)


def invalid(field: str, message: str) -> Problem:
    return Problem(422, "validation", "Invalid request", message, errors=[{"field": field, "message": message}])


class Denied(Exception):
    """Raised inside a unit of work; the transaction is rolled back and the denial audited on its own."""

    def __init__(
        self, action: str, reason: str, record: str | None = None, owner: str | None = None, purpose: str | None = None
    ) -> None:
        super().__init__(reason)
        self.action = action
        self.reason = reason
        self.record = record
        self.owner = owner
        self.purpose = purpose
