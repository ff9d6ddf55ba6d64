"""What the enforcement routes answer (response models)."""

from __future__ import annotations

from datetime import date, datetime

from shared.contracts.enforcement import BenchmarkScope, DecisionStatus, Factors, Penalty, Tier, TierRule
from shared.contracts.regions import Region
from shared.contracts.views import Page, TimelineEntry, View


class Benchmark(View):
    """A benchmark as lists show it: its latest version known here."""

    id: str
    owner_region: Region
    code: str
    scope: BenchmarkScope
    name: str
    version: int
    status: str  # the latest version's: proposed, objected or adopted
    effective_from: date
    proposed_at: datetime


class BenchmarkVote(View):
    version: int
    region: Region
    vote: str  # approve or object
    reasons: str | None
    at: datetime


class BenchmarkVersion(View):
    benchmark_id: str
    version: int
    owner_region: Region
    code: str
    scope: BenchmarkScope
    name: str
    legal_basis: str
    article: str
    tiers: list[TierRule]
    effective_from: date
    reason: str | None
    revises: int | None
    proposed_at: datetime
    status: str
    adopted_at: datetime | None


class BenchmarkView(Benchmark):
    versions: list[BenchmarkVersion]  # every version, oldest first
    votes: list[BenchmarkVote]
    timeline: list[TimelineEntry]


class Decision(View):
    """A decision's summary, as every region holds it (no party)."""

    id: str
    decided_region: Region
    agency: str | None
    code: str
    benchmark_id: str
    benchmark_version: int
    tier: Tier
    factors: Factors
    penalty: Penalty
    fine_yuan: int
    fine_min_yuan: int | None
    fine_max_yuan: int | None
    within_range: bool
    status: DecisionStatus
    violation_date: date
    decided_at: datetime
    decided_on: date
    signed_off_at: datetime | None


class DecisionView(Decision):
    outside_reason: str | None  # held by the deciding region: shown there only
    timeline: list[TimelineEntry]


class DecisionParty(View):
    """The party in full, held by the deciding region and read there alone (purpose law-enforcement)."""

    decision_id: str
    kind: str
    name: str
    number: str  # the resident ID number or the unified social credit code
    case_ref: str | None


class RegionFigures(View):
    region: Region
    count: int
    median: float | None
    p10: float | None
    p90: float | None
    min: int | None
    max: int | None


class SimilarCasesAnswer(View):
    code: str
    tier: Tier
    benchmark_id: str
    benchmark_version: int
    fine_min_yuan: int | None
    fine_max_yuan: int | None
    regions: list[RegionFigures]  # each of the three regions, final decisions of this code and tier


class RegionConsistency(View):
    region: Region
    decisions: int
    median_fine: float | None
    outside_share: float
    flagged: list[str]  # disparity, outside_range


class CodeConsistency(View):
    code: str
    tier: Tier
    regions: list[RegionConsistency]
    disparity_index: float | None
    flagged: bool


class ConsistencyReport(View):
    month: str
    threshold: float
    outside_share_limit: float
    items: list[CodeConsistency]


BenchmarkPage = Page[Benchmark]
DecisionPage = Page[Decision]
