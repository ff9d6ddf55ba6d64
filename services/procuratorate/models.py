"""HTTP request bodies and list filters of the procuratorate API (the bodies that create records are the
commands', shared/contracts/commands.py)."""

from __future__ import annotations

import base64
from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from shared.contracts.commands import Body
from shared.contracts.pagination import PageQuery
from shared.contracts.problems import FieldError
from shared.contracts.procuratorate import AssistanceKind, Classification, Step
from shared.contracts.regions import Region

BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class DecideReferral(Body):
    """The receiving office's decision: accept (opening its own case) or decline with reasons."""

    outcome: Literal["accepted", "declined"]
    reasons: str | None = Field(default=None, min_length=1, max_length=4000)

    @model_validator(mode="after")
    def reasoned(self) -> DecideReferral:
        if self.outcome == "declined" and self.reasons is None:
            raise FieldError("reasons", "a declined referral is returned with its reasons")
        return self


class Assign(Body):
    assignee: str = Field(min_length=1, max_length=200)  # the prosecutor's user id (token subject)


class Answer(Body):
    results: str = Field(min_length=1, max_length=8000)
    material_ids: list[str] = Field(default_factory=list, max_length=50)


class Contribute(Body):
    summary: str = Field(min_length=1, max_length=8000)
    material_ids: list[str] = Field(default_factory=list, max_length=50)


class DecideStep(Body):
    step: Step
    note: str = Field(min_length=1, max_length=4000)


class RegisterMaterial(Body):
    """A material (≤ 512 KB, base64) kept by this office: events describe it, never carry it."""

    record_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    content_type: str = Field(pattern=r"^[a-z]+/[a-z0-9.+-]+$", max_length=100)
    classification: Classification
    content_base64: str = Field(min_length=4, max_length=700_000, json_schema_extra={"pattern": BASE64_PATTERN})

    @cached_property
    def content(self) -> bytes:
        return base64.b64decode(self.content_base64, validate=True)

    @model_validator(mode="after")
    def decodes(self) -> RegisterMaterial:
        try:
            self.content  # noqa: B018  (decoded once, checked here)
        except ValueError:
            raise FieldError("content_base64", "not base64") from None
        return self


class ReferralQuery(PageQuery):
    from_region: Region | None = None
    to_region: Region | None = None
    status: Literal["referred", "accepted", "declined"] | None = None


class AssistanceQuery(PageQuery):
    requesting_region: Region | None = None
    asked_region: Region | None = None
    status: Literal["requested", "assigned", "answered"] | None = None
    kind: AssistanceKind | None = None


class JointCaseQuery(PageQuery):
    lead_region: Region | None = None


class MaterialQuery(PageQuery):
    record_id: str | None = None
    holder_region: Region | None = None
