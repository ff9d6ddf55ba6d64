"""HTTP request bodies and list queries of the enforcement API (the decision's body is a command:
shared/contracts/commands.py, RecordDecision)."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from shared.contracts.commands import Body
from shared.contracts.enforcement import BenchmarkScope, DecisionStatus, Factors, Tier, TierRule
from shared.contracts.fields import Day
from shared.contracts.pagination import PageQuery
from shared.contracts.regions import Region

CODE = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MONTH = re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")


class BenchmarkText(Body):
    """What a benchmark version states."""

    name: str = Field(min_length=1, max_length=300)
    legal_basis: str = Field(min_length=1, max_length=500)  # the article broken
    article: str = Field(min_length=1, max_length=500)  # the article that punishes
    tiers: list[TierRule] = Field(min_length=1, max_length=4)
    effective_from: Day


class ProposeBenchmark(BenchmarkText):
    """Propose a benchmark for a violation code: for the zone (it takes effect once the three regions
    approve it), or as this region's local variant (in force from its date, with the reason the other
    regions see)."""

    code: str = CODE
    scope: BenchmarkScope = BenchmarkScope.ZONE
    reason: str | None = Field(default=None, min_length=1, max_length=4000)


class ReviseBenchmark(BenchmarkText):
    """A new version of a benchmark: after an objection, or to amend an adopted one. It is voted on anew."""

    reason: str = Field(min_length=1, max_length=4000)


class Vote(Body):
    """This region's approval of a version, or its objection with reasons (which sends it back)."""

    version: int = Field(ge=1, le=1_000_000)
    vote: Literal["approve", "object"]
    reasons: str | None = Field(default=None, min_length=1, max_length=4000)


class SignOff(Body):
    """The region's legal review of an outside-range decision."""

    outcome: Literal["approved", "rejected"]
    note: str = Field(min_length=1, max_length=4000)


class SimilarCases(Body):
    """What an officer asks before proposing a penalty: the tier these factors fall in, and what the three
    regions decided for that code and tier."""

    code: str = CODE
    factors: Factors
    violation_date: Day | None = None  # default: today (the benchmark in force then gives the tier)


class BenchmarkQuery(PageQuery):
    """`GET /v1/benchmarks` filters."""

    code: str | None = None
    owner_region: Region | None = None
    scope: BenchmarkScope | None = None
    status: Literal["proposed", "objected", "adopted"] | None = None


class DecisionQuery(PageQuery):
    """`GET /v1/decisions` filters."""

    decided_region: Region | None = None
    code: str | None = None
    tier: Tier | None = None
    status: DecisionStatus | None = None
    within_range: bool | None = None


class InForceQuery(BaseModel):
    """`GET /v1/benchmarks/in-force`: the version in force for a code on a day, in a region."""

    code: str = CODE
    on: Day
    region: Region


class ConsistencyQuery(BaseModel):
    """`GET /v1/consistency`: a month's decisions (zone dates), YYYY-MM."""

    month: str = Field(pattern=MONTH.pattern)

    @field_validator("month")
    @classmethod
    def real_month(cls, value: str) -> str:
        date.fromisoformat(f"{value}-01")
        return value
