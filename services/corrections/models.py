"""HTTP request bodies of the corrections API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.corrections.domain import Status, identity_problem
from shared.contracts.corrections import CorrectionType, RiskLevel
from shared.contracts.pagination import PageQuery
from shared.contracts.problems import FieldError
from shared.contracts.regions import Region
from shared.rules.fields import IdNumber, PersonName


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Enrol(Body):
    id_number: IdNumber
    name: PersonName
    gender: Literal["male", "female"]
    birth_date: date
    correction_type: CorrectionType
    sentence_summary: str = Field(min_length=1, max_length=4000)
    judgment_effective_date: date
    start_date: date
    end_date: date
    supervising_office: str = Field(min_length=1, max_length=200)
    risk_level: RiskLevel
    prohibitions: list[str] = Field(default_factory=list, max_length=20)
    residence_address: str = Field(min_length=1, max_length=300)

    @model_validator(mode="after")
    def consistent(self) -> Enrol:
        if problem := identity_problem(self.id_number, self.birth_date, self.gender):
            raise FieldError(problem.split()[0], problem)
        if self.end_date <= self.start_date:
            raise FieldError("end_date", "end_date must be after start_date")
        return self


class Lookup(Body):
    id_number: IdNumber


class ApproveTravel(Body):
    destination: Region
    from_date: date
    to_date: date
    reason: str = Field(min_length=1, max_length=1000)


class RequestTransfer(Body):
    destination: Region
    reason: str = Field(min_length=1, max_length=1000)


class RejectTransfer(Body):
    reason: str = Field(min_length=1, max_length=1000)


class ReportViolation(Body):
    kind: Literal["missed_report", "left_area", "prohibited_place", "new_offence", "contact_violation", "other"]
    occurred_at: AwareDatetime
    place: str = Field(min_length=1, max_length=300)
    details: str = Field(min_length=1, max_length=4000)


class SubjectQuery(PageQuery):
    """`GET /v1/subjects` filters."""

    status: Status | None = None
    correction_type: CorrectionType | None = None
    home_region: Region | None = None
    risk_level: RiskLevel | None = None
