"""Administrative enforcement discretion events (on `{region}.enforcement`): 同案同罚.

A discretion benchmark (裁量基准) for one violation code is owned by the region whose legal reviewers
proposed it. A zone benchmark takes effect from its stated date once all three regions approve the same
version; each approval or objection is an event of the approving region, and the owner's reaction counts
them and adopts the version. An objection sends the version back: the owner proposes a revision (the next
version). A local variant (one region's own) takes effect without the others' approval, but states why.

A penalty decision is owned by the deciding region. Its events carry a minimised summary — code, tier,
factors, penalty, whether it is within the benchmark's range, the dates — never the party, who stays in
the deciding region's store.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from shared.contracts.base import Payload, declare
from shared.contracts.regions import Domain

MAX_YUAN = 10**12  # bounds that keep every amount a 64-bit integer (and a multiple of one, too)
MAX_DAYS = 3650


class Tier(StrEnum):
    """Circumstance tiers, least to most severe."""

    MINOR = "minor"  # 轻微
    ORDINARY = "ordinary"  # 一般
    SERIOUS = "serious"  # 较重
    GRAVE = "grave"  # 严重


class Harm(StrEnum):
    """How much harm the violation did, least to most."""

    NONE = "none"
    MINOR = "minor"
    SIGNIFICANT = "significant"
    SEVERE = "severe"


class Factors(Payload):
    """The circumstances a benchmark's criteria are stated over (what an officer declares for a case)."""

    first_offence: bool = Field(default=False, strict=True)  # 初次违法
    rectified_in_time: bool = Field(default=False, strict=True)  # 及时改正
    repeat_offence: bool = Field(
        default=False, strict=True
    )  # 再次违法 (within the benchmark's look-back, as the officer found)
    obstruction: bool = Field(default=False, strict=True)  # 拒绝、阻碍执法
    harm: Harm = Harm.NONE
    amount_yuan: int | None = Field(
        strict=True, default=None, ge=0, le=MAX_YUAN
    )  # the amount involved (goods' value, the sum at stake)
    illegal_gains_yuan: int | None = Field(strict=True, default=None, ge=0, le=MAX_YUAN)  # 违法所得
    exceedance_ratio: float | None = Field(
        strict=True, default=None, ge=0, le=1000
    )  # how far over the limit: 0.3 = 30% over


FactorName = Literal[
    "first_offence",
    "rectified_in_time",
    "repeat_offence",
    "obstruction",
    "harm",
    "amount_yuan",
    "illegal_gains_yuan",
    "exceedance_ratio",
]


class Criterion(Payload):
    """One rule over a declared factor: `is` (a yes/no factor, or harm exactly), `at_least`, `below`
    (a number, or harm by its order)."""

    factor: FactorName
    op: Literal["is", "at_least", "below"]
    value: bool | float | Harm


class PenaltyRange(Payload):
    """What a tier allows. A fine is a range in yuan, or a multiple of the illegal gains or of the amount
    involved (货值金额) when the case states it (otherwise the yuan range, if the tier gives one)."""

    no_penalty: bool = Field(
        default=False, strict=True
    )  # 首违不罚: a first, minor, promptly corrected violation goes unpunished
    warning: bool = Field(default=False, strict=True)  # a warning is within the range
    fine_min_yuan: int | None = Field(strict=True, default=None, ge=0, le=MAX_YUAN)
    fine_max_yuan: int | None = Field(strict=True, default=None, ge=0, le=MAX_YUAN)
    gains_multiple_min: float | None = Field(strict=True, default=None, ge=0, le=1000)
    gains_multiple_max: float | None = Field(strict=True, default=None, ge=0, le=1000)
    multiple_of: Literal["illegal_gains_yuan", "amount_yuan"] = "illegal_gains_yuan"
    confiscation: bool = Field(default=False, strict=True)  # confiscation of illegal gains applies
    suspension_days_max: int | None = Field(
        strict=True, default=None, ge=0, le=MAX_DAYS
    )  # suspension of business or licence, at most

    @model_validator(mode="after")
    def ordered(self) -> PenaltyRange:
        for low, high in (("fine_min_yuan", "fine_max_yuan"), ("gains_multiple_min", "gains_multiple_max")):
            if (getattr(self, low) is None) != (getattr(self, high) is None):
                raise ValueError(f"{low} and {high} go together")
            if getattr(self, low) is not None and getattr(self, low) > getattr(self, high):
                raise ValueError(f"{low} is above {high}")
        return self


class TierRule(Payload):
    """A tier: its criteria (all must hold) and its range. A benchmark's tiers are tried in their order;
    the first whose criteria all hold applies, and the last has none (the default)."""

    tier: Tier
    criteria: list[Criterion] = Field(default_factory=list, max_length=20)
    range: PenaltyRange
    note: str | None = Field(default=None, max_length=500)


class Penalty(Payload):
    """A penalty as decided (or proposed)."""

    warning: bool = Field(default=False, strict=True)
    fine_yuan: int = Field(strict=True, default=0, ge=0, le=MAX_YUAN)
    confiscation: bool = Field(default=False, strict=True)
    suspension_days: int = Field(strict=True, default=0, ge=0, le=MAX_DAYS)


class BenchmarkScope(StrEnum):
    ZONE = "zone"  # all three regions, once all approve
    LOCAL = "local"  # one region's variant, with its reason


class BenchmarkProposed(Payload):
    benchmark_id: str
    version: int
    code: str
    name: str
    legal_basis: str  # the article broken
    article: str  # the article that punishes
    scope: BenchmarkScope
    tiers: list[TierRule]
    effective_from: date
    reason: str | None = None  # a local variant's reason, a revision's answer to the objections
    revises: int | None = None  # the version this one revises
    proposed_at: datetime


class BenchmarkApproved(Payload):
    benchmark_id: str
    version: int
    approved_at: datetime


class BenchmarkObjected(Payload):
    benchmark_id: str
    version: int
    reasons: str
    objected_at: datetime


class BenchmarkAdopted(Payload):
    """The owner's: every region approved this version (or it is the owner's local variant)."""

    benchmark_id: str
    version: int
    effective_from: date
    adopted_at: datetime


DecisionStatus = Literal["final", "pending_review", "rejected"]


class DecisionRecorded(Payload):
    """A penalty decision's summary: the party stays with the deciding region."""

    decision_id: str
    code: str
    benchmark_id: str
    benchmark_version: int
    tier: Tier
    factors: Factors
    penalty: Penalty
    fine_min_yuan: int | None
    fine_max_yuan: int | None
    within_range: bool
    status: DecisionStatus  # final when within the range; else pending the legal sign-off
    violation_date: date
    decided_at: datetime


class DecisionSignedOff(Payload):
    """The deciding region's legal review of an outside-range decision (its written reason stays there)."""

    decision_id: str
    outcome: Literal["approved", "rejected"]
    signed_off_at: datetime


BENCHMARK_PROPOSED = declare(Domain.ENFORCEMENT, "benchmark-proposed", BenchmarkProposed)
BENCHMARK_APPROVED = declare(Domain.ENFORCEMENT, "benchmark-approved", BenchmarkApproved)
BENCHMARK_OBJECTED = declare(Domain.ENFORCEMENT, "benchmark-objected", BenchmarkObjected)
BENCHMARK_ADOPTED = declare(Domain.ENFORCEMENT, "benchmark-adopted", BenchmarkAdopted)
DECISION_RECORDED = declare(Domain.ENFORCEMENT, "decision-recorded", DecisionRecorded)
DECISION_SIGNED_OFF = declare(Domain.ENFORCEMENT, "decision-signed-off", DecisionSignedOff)
