"""HTTP request bodies of the filing API, validated strictly (pydantic). Responses are plain dicts
built by the store from the read model."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.filing.domain import Status
from shared.contracts.filing import CaseType, Document
from shared.contracts.pagination import PageQuery
from shared.contracts.problems import FieldError
from shared.contracts.regions import Region, zone_today
from shared.rules.fields import CreditCode, IdNumber, PersonName


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonParty(Body):
    kind: Literal["person"]
    role: Literal["plaintiff", "defendant"]
    name: PersonName
    id_number: IdNumber


class OrganisationParty(Body):
    kind: Literal["organisation"]
    role: Literal["plaintiff", "defendant"]
    name: PersonName
    credit_code: CreditCode


Party = Annotated[PersonParty | OrganisationParty, Field(discriminator="kind")]


class SubmitFiling(Body):
    court_region: Region
    case_type: CaseType
    parties: list[Party] = Field(min_length=2, max_length=50)
    claim_summary: str = Field(min_length=1, max_length=4000)
    claim_amount: Decimal | None = Field(default=None, ge=0, max_digits=18, decimal_places=2)
    documents: list[Document] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def both_sides(self) -> SubmitFiling:
        roles = {p.role for p in self.parties}
        if roles != {"plaintiff", "defendant"}:
            raise FieldError("parties", "parties need at least one plaintiff and one defendant")
        return self


class Reject(Body):
    reason: str = Field(min_length=1, max_length=2000)


class RequestCorrection(Body):
    missing_items: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(min_length=1, max_length=50)
    deadline: date

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

    status: Status | None = None
    court_region: Region | None = None
    receiving_region: Region | None = None
    case_type: CaseType | None = None
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None
