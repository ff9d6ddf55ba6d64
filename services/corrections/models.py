"""HTTP request bodies of the corrections API."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from services.corrections.domain import SubjectStatus
from shared.contracts.commands import Body, at_least_one_field
from shared.contracts.corrections import CorrectionType, RiskLevel
from shared.contracts.fields import Day, IdNumber, Instant
from shared.contracts.pagination import PageQuery
from shared.contracts.problems import FieldError
from shared.contracts.regions import Region


class Lookup(Body):
    id_number: IdNumber


class AcceptTransfer(Body):
    """The receiving region takes the subject under its own supervising office (司法所)."""

    supervising_office: str = Field(min_length=1, max_length=200)


class WithdrawTransfer(Body):
    reason: str = Field(min_length=1, max_length=1000)


class UpdateSubject(Body):
    """What the home region may change of a subject under correction; at least one field."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=at_least_one_field)

    residence_address: str | None = Field(default=None, min_length=1, max_length=300)
    supervising_office: str | None = Field(default=None, min_length=1, max_length=200)
    risk_level: RiskLevel | None = None
    prohibitions: list[str] | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def something(self) -> UpdateSubject:
        if not {k for k in self.model_fields_set if getattr(self, k) is not None}:
            raise FieldError("residence_address", "give at least one field to change")
        return self


class CancelTravel(Body):
    reason: str = Field(min_length=1, max_length=1000)


class ApproveTravel(Body):
    destination: Region
    from_date: Day
    to_date: Day
    reason: str = Field(min_length=1, max_length=1000)


class RequestTransfer(Body):
    destination: Region
    reason: str = Field(min_length=1, max_length=1000)


class RejectTransfer(Body):
    reason: str = Field(min_length=1, max_length=1000)


class ReportViolation(Body):
    kind: Literal["missed_report", "left_area", "prohibited_place", "new_offence", "contact_violation", "other"]
    occurred_at: Instant
    place: str = Field(min_length=1, max_length=300)
    details: str = Field(min_length=1, max_length=4000)


class TravelQuery(PageQuery):
    """`GET /v1/travels` filters: the trips arriving in a region."""

    destination: Region | None = None
    status: Literal["approved", "checked_in", "returned", "cancelled"] | None = None


class TransferQuery(PageQuery):
    """`GET /v1/transfers` filters: the transfers awaiting a region's acceptance (`status=pending`)."""

    destination: Region | None = None
    status: Literal["pending", "accepted", "rejected", "withdrawn"] | None = None


class SubjectQuery(PageQuery):
    """`GET /v1/subjects` filters."""

    status: SubjectStatus | None = None
    correction_type: CorrectionType | None = None
    home_region: Region | None = None
    risk_level: RiskLevel | None = None
