"""RFC 9457 problem details: the one shape of every HTTP error this system returns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

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


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, as documented in every service's OpenAPI."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


def _documented(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "model": ProblemDetails,
        "content": {PROBLEM_JSON: {"schema": ProblemDetails.model_json_schema()}},
    }


# Every /v1 operation may answer these; documented once, on every route.
V1_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: _documented("The body is not parseable JSON"),
    401: _documented("Missing, expired or invalid bearer token"),
    403: _documented("Not granted by the policy, or no allowed X-Purpose"),
    404: _documented("No such record"),
    409: _documented("Not allowed in the record's current state (current_status says which)"),
    422: _documented("Invalid request: errors[].field names each field"),
    502: _documented("The owning region's instance did not answer a point-to-point read"),
}
