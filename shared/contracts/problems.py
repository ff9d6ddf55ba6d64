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


class FieldError(ValueError):
    """A rule over several fields that names the one at fault (pydantic files model-level errors under
    the model itself); the message must not contain the submitted value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# Error kinds whose pydantic message quotes the submitted value: a fixed message of ours instead.
_QUOTING_KINDS = {
    "union_tag_invalid": lambda ctx: f"must be one of {ctx.get('expected_tags', 'the documented tags')}",
    "union_tag_not_found": lambda ctx: f"{ctx.get('discriminator', 'a discriminator')} is required",
    "enum": lambda ctx: f"must be one of {ctx.get('expected', 'the documented values')}",
    "literal_error": lambda ctx: f"must be one of {ctx.get('expected', 'the documented values')}",
}


def validation_problem(errors: list[dict[str, Any]]) -> Problem:
    """400 for a body that is not JSON at all; otherwise 422 naming each field at fault, never echoing
    a submitted value (it may be an ID number)."""
    if any(e["type"] == "json_invalid" for e in errors):
        return Problem(400, "malformed-body", "Malformed body", "the body is not valid JSON")
    shown = [{"field": _field_of(e), "message": _message_of(e)} for e in errors]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in shown)
    return Problem(422, "validation", "Invalid request", detail, errors=shown)


def _field_of(error: dict[str, Any]) -> str:
    path = [str(p) for p in error["loc"] if p != "body"]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldError):
        path.append(cause.field)
    return ".".join(path) or "body"


def _message_of(error: dict[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    if error["type"] in _QUOTING_KINDS:
        return _QUOTING_KINDS[error["type"]](ctx)
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if isinstance(value, str | int | float) and len(str(value)) >= 3 and str(value) in message:
        message = message.replace(str(value), "(the submitted value)")
    return message


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
    413: _documented("The body is larger than the instance accepts (YRD_MAX_BODY_BYTES)"),
    422: _documented("Invalid request: errors[].field names each field"),
    502: _documented("The owning region's instance did not answer a point-to-point read"),
    503: _documented("The store cannot be written right now (nothing was written; see Retry-After)"),
}
# What the few routes answered without a login (/public/v1) may answer.
PUBLIC_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: _documented("The body is not parseable JSON"),
    404: _documented("Nothing matches what was given, here"),
    413: _documented("The body is larger than a public route accepts (4 KB)"),
    422: _documented("Invalid request: errors[].field names each field"),
}
