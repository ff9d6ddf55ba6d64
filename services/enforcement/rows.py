"""The enforcement tables' rows as the store hands them back (types only: a row stays a dict). Columns not
NOT NULL may be empty: a sign-off read before its decision makes a stub row. Timestamps and days are ISO
text, as stored; JSON columns come back decoded."""

from __future__ import annotations

from typing import Any, TypedDict


class BenchmarkRow(TypedDict):
    """A row of benchmarks: a benchmark as lists show it, its latest version known here."""

    id: str
    owner_region: str | None
    code: str | None
    scope: str | None
    name: str | None
    version: int
    status: str | None  # the latest version's: proposed, objected or adopted
    effective_from: str | None  # a day
    proposed_at: str | None


class BenchmarkVersionRow(TypedDict):
    """A row of benchmark_versions: one version of a benchmark, as proposed, and whether it was adopted."""

    benchmark_id: str
    version: int
    owner_region: str
    code: str
    scope: str
    name: str
    legal_basis: str
    article: str
    tiers: list[dict[str, Any]]  # each a TierRule as JSON
    effective_from: str  # a day
    reason: str | None
    revises: int | None
    proposed_at: str
    status: str  # proposed, objected or adopted
    adopted_at: str | None


class BenchmarkVoteRow(TypedDict):
    """A row of benchmark_votes: one region's approval or objection of one version."""

    benchmark_id: str
    version: int
    region: str
    vote: str  # approve or object
    reasons: str | None
    at: str


class DecisionRow(TypedDict):
    """A row of decisions: a decision's summary as every region holds it (no party)."""

    id: str
    decided_region: str | None
    agency: str | None
    code: str | None
    benchmark_id: str | None
    benchmark_version: int | None
    tier: str | None
    factors: dict[str, Any] | None  # Factors as JSON
    penalty: dict[str, Any] | None  # Penalty as JSON
    fine_yuan: int | None
    fine_min_yuan: int | None
    fine_max_yuan: int | None
    within_range: bool | None
    status: str | None  # pending_review, final or rejected
    violation_date: str | None  # a day
    decided_at: str | None
    decided_on: str | None  # the zone's day of decided_at
    signed_off_at: str | None


class DecisionDetailsRow(TypedDict):
    """A row of decision_details: the party and written reasons, held by the deciding region alone."""

    decision_id: str
    party_kind: str
    party_name: str
    party_number: str  # the resident ID number or the unified social credit code
    outside_reason: str | None
    case_ref: str | None
    sign_off_note: str | None
