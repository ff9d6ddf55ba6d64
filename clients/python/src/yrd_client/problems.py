"""Problems (RFC 9457) raised as typed exceptions: one class per status an integrator handles differently,
each carrying the whole problem body (`type`, `title`, `detail`, `errors`, extensions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ProblemError(Exception):
    """An answer of 4xx or 5xx. `slug` is the last part of the problem `type` (e.g. `validation`)."""

    status: int = 0

    def __init__(self, body: dict[str, Any], response: httpx.Response | None = None) -> None:
        self.body = body
        self.status = int(body.get("status") or (response.status_code if response is not None else 0))
        self.type: str = body.get("type", "about:blank")
        self.title: str = body.get("title", "")
        self.detail: str | None = body.get("detail")
        self.errors = [FieldError(e.get("field", ""), e.get("message", "")) for e in body.get("errors") or []]
        self.response = response
        super().__init__(f"{self.status} {self.title}: {self.detail or self.type}")

    @property
    def slug(self) -> str:
        return self.type.rsplit("/", 1)[-1]


class BadRequest(ProblemError):
    status = 400


class Unauthorized(ProblemError):
    status = 401


class Forbidden(ProblemError):
    status = 403


class NotFound(ProblemError):
    status = 404


class Conflict(ProblemError):
    """The record is not in a state that allows this (`body["current_status"]` says which it is in)."""

    status = 409


class PayloadTooLarge(ProblemError):
    status = 413


class UnsupportedMediaType(ProblemError):
    status = 415


class Invalid(ProblemError):
    """422: `errors` names each field at fault. Also a reused Idempotency-Key with another body."""

    status = 422


class TooManyRequests(ProblemError):
    status = 429


class ServiceUnavailable(ProblemError):
    """503: nothing was written; the client has already retried as `Retry-After` said."""

    status = 503


_BY_STATUS: dict[int, type[ProblemError]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        PayloadTooLarge,
        UnsupportedMediaType,
        Invalid,
        TooManyRequests,
        ServiceUnavailable,
    )
}


def problem_from(body: dict[str, Any], response: httpx.Response | None = None) -> ProblemError:
    status = int(body.get("status") or (response.status_code if response is not None else 0))
    return _BY_STATUS.get(status, ProblemError)(body, response)


def raise_for_problem(response: httpx.Response) -> None:
    """Raise the response's problem if it is one; a non-problem error body (a proxy's page) becomes one too."""
    if response.status_code < 400:
        return
    try:
        body = response.json() if response.headers.get("content-type", "").startswith(PROBLEM_JSON) else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {"type": "about:blank", "title": response.reason_phrase, "status": response.status_code}
        body["detail"] = response.text[:500] or None
    raise problem_from(body, response)


@dataclass(frozen=True)
class Outcome:
    """One bulk line's or one Kafka command's outcome: the record created, or the problem."""

    status: int
    id: str | None = None
    record_status: str | None = None
    problem: ProblemError | None = None
    line: int | None = None  # bulk: 1-based line number across everything sent in this call
    command_id: str | None = None  # Kafka: the command's ce_id

    @property
    def ok(self) -> bool:
        return self.problem is None and self.status < 400

    @classmethod
    def parse(cls, fields: dict[str, Any], **known: Any) -> Outcome:
        problem = fields.get("problem")
        return cls(
            status=int(fields["status"]),
            id=fields.get("id"),
            record_status=fields.get("record_status"),
            problem=problem_from(problem) if problem else None,
            **known,
        )
