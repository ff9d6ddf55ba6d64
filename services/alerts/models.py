"""HTTP request bodies of the alerts API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from services.alerts.domain import AlertStatus
from shared.contracts.alerts import Category, Location, Severity
from shared.contracts.commands import Body, at_least_one_field, documented_as
from shared.contracts.fields import Instant
from shared.contracts.pagination import PageQuery
from shared.contracts.problems import FieldError
from shared.contracts.regions import Region


class RequestReinforcement(Body):
    to_region: Region
    units: int = Field(ge=1, le=500)
    kind: str = Field(min_length=1, max_length=100)
    rendezvous: str = Field(min_length=1, max_length=300)


class ReinforcementDispatched(Body):
    """Units are on their way: how many, and when they arrive."""

    outcome: Literal["dispatched"]
    units: int = Field(ge=1, le=500)
    eta: Instant
    reason: str | None = Field(default=None, min_length=1, max_length=1000)


class ReinforcementDeclined(Body):
    """No units: a refusal states its reason."""

    outcome: Literal["declined"]
    reason: str = Field(min_length=1, max_length=1000)
    units: int | None = Field(default=None, ge=1, le=500)
    eta: Instant | None = None


class AnswerReinforcement(Body):
    """A dispatch (units and eta) or a refusal (its reason)."""

    outcome: Literal["dispatched", "declined"]
    units: int | None = Field(default=None, ge=1, le=500)
    eta: Instant | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=1000)

    __get_pydantic_json_schema__ = documented_as(
        Annotated[ReinforcementDispatched | ReinforcementDeclined, Field(discriminator="outcome")]
    )

    @model_validator(mode="after")
    def complete(self) -> AnswerReinforcement:
        if self.outcome == "dispatched" and (self.units is None or self.eta is None):
            raise FieldError("units" if self.units is None else "eta", "a dispatch states units and eta")
        if self.outcome == "declined" and not self.reason:
            raise FieldError("reason", "a refusal states its reason")
        return self


class UpdateAlert(Body):
    """A new description, a new location, or both."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=at_least_one_field)

    description: str | None = Field(default=None, min_length=1, max_length=4000)
    location: Location | None = None

    @model_validator(mode="after")
    def something(self) -> UpdateAlert:
        if self.description is None and self.location is None:
            raise FieldError("description", "give a new description or location")
        return self


class CloseAlert(Body):
    outcome: Literal["resolved", "cancelled"]


class AlertQuery(PageQuery):
    """`GET /v1/alerts` filters."""

    status: AlertStatus | None = None
    severity: Severity | None = None
    category: Category | None = None
    origin: Region | None = None
    target: Region | None = None
    raised_from: Instant | None = None  # raised at or after
    raised_to: Instant | None = None  # raised before
    # The duty officer's inbox: active alerts this region has still to acknowledge, soonest due first.
    awaiting_ack: bool = False


class ReinforcementQuery(PageQuery):
    """`GET /v1/reinforcement-requests` filters; pending requests come first, oldest first."""

    to_region: Region | None = None
    status: Literal["open", "dispatched", "declined"] | None = None
