"""HTTP request bodies of the filing API, validated strictly (pydantic). Responses are plain dicts
built by the store from the read model."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from services.filing.domain import FilingStatus
from shared.contracts.commands import Body
from shared.contracts.fields import Day, IdNumber, Instant
from shared.contracts.filing import CaseType, Document
from shared.contracts.pagination import PageQuery
from shared.contracts.problems import FieldError
from shared.contracts.regions import Region, zone_today


class Reject(Body):
    reason: str = Field(min_length=1, max_length=2000)


class RequestCorrection(Body):
    missing_items: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(min_length=1, max_length=50)
    deadline: Day

    @model_validator(mode="after")
    def future_deadline(self) -> RequestCorrection:
        if self.deadline <= zone_today():
            raise FieldError("deadline", "deadline must be after today")
        return self


class Resubmit(Body):
    documents: list[Document] = Field(min_length=1, max_length=100)


class Withdraw(Body):
    reason: str = Field(min_length=1, max_length=2000)


class FilingQuery(PageQuery):
    """`GET /v1/filings` filters."""

    status: FilingStatus | None = None
    court_region: Region | None = None
    receiving_region: Region | None = None
    case_type: CaseType | None = None
    submitted_from: Instant | None = None
    submitted_to: Instant | None = None
    docket_number: str | None = Field(default=None, min_length=1, max_length=60)
    # A party's ID number (X-Purpose case-filing or case-review; audited): matched by its keyed hash.
    party_id_number: IdNumber | None = None
    overdue: bool = False  # flagged past the 7-day decision rule
    decided_from: Instant | None = None  # accepted or rejected at or after
    decided_to: Instant | None = None  # ...and before
    # `due`: a court's queue, soonest decision deadline first (overdue ones first), read from the index of
    # (court_region, status, decision_due); a court and a status are therefore required with it.
    order: Literal["newest", "due"] = "newest"

    @model_validator(mode="after")
    def due_order_needs_a_queue(self) -> FilingQuery:
        if self.order == "due" and (self.court_region is None or self.status is None):
            raise FieldError("order", "order=due lists one court's queue: give court_region and status too")
        return self


class StatusQuestion(Body):
    """What a party gives at the window: the filing's id and the code they were given at submission."""

    filing_id: str = Field(min_length=1, max_length=100)
    filing_code: str = Field(min_length=10, max_length=40)
