"""Enforcement commands as units of work: proposing and revising benchmarks, each region's vote on them,
recording a decision against the benchmark in force, and the legal sign-off of one outside its range.
What the events do to the read models is in projection.py; the owner's count of the votes in reactions.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.enforcement import domain
from services.enforcement import store as db
from services.enforcement.models import BenchmarkText, ProposeBenchmark, ReviseBenchmark, SignOff, Vote
from services.enforcement.ownership import BENCHMARK, DECISION
from services.enforcement.queries import benchmark_view, decision_view, load_benchmark, load_decision
from services.enforcement.rows import BenchmarkVersionRow
from shared.contracts import enforcement as ev
from shared.contracts.commands import RecordDecision
from shared.contracts.enforcement import BenchmarkScope, TierRule
from shared.contracts.ids import new_id
from shared.contracts.problems import conflict, invalid, not_found
from shared.core.uow import UnitOfWork, now


@dataclass(frozen=True)
class Config:
    disparity_threshold: float = domain.DISPARITY_THRESHOLD
    outside_share_limit: float = domain.OUTSIDE_SHARE_LIMIT
    min_cases: int = domain.MIN_CASES
    window_days: int = 90  # what the gauges measure: the decisions of this many days up to today


def _checked(tiers: list[TierRule]) -> None:
    try:
        domain.check_tiers(tiers)
    except ValueError as error:
        raise invalid("tiers", str(error)) from None


def _version(body: BenchmarkText, benchmark_id: str, number: int, code: str, scope: BenchmarkScope, **more: Any):
    return ev.BenchmarkProposed(
        benchmark_id=benchmark_id,
        version=number,
        code=code,
        name=body.name,
        legal_basis=body.legal_basis,
        article=body.article,
        scope=scope,
        tiers=body.tiers,
        effective_from=body.effective_from,
        proposed_at=now(),
        **more,
    )


def propose(uow: UnitOfWork, body: ProposeBenchmark) -> dict[str, Any]:
    benchmark_id = new_id()
    uow.access.authorize_write("enforcement.propose_benchmark", record_id=benchmark_id)
    _checked(body.tiers)
    if body.scope is BenchmarkScope.LOCAL and body.reason is None:
        raise invalid("reason", "a local variant states why it departs from the zone's benchmark")
    data = _version(body, benchmark_id, 1, body.code, body.scope, reason=body.reason)
    uow.emit(ev.BENCHMARK_PROPOSED, benchmark_id, data)
    if body.scope is BenchmarkScope.LOCAL:  # the region's own: in force from its date, no vote
        adopt = ev.BenchmarkAdopted(
            benchmark_id=benchmark_id, version=1, effective_from=body.effective_from, adopted_at=now()
        )
        uow.emit(ev.BENCHMARK_ADOPTED, benchmark_id, adopt)
    return benchmark_view(uow, benchmark_id)


def revise(uow: UnitOfWork, benchmark_id: str, body: ReviseBenchmark) -> dict[str, Any]:
    """The next version: once the latest was objected to (or is adopted and is to be amended)."""
    benchmark = load_benchmark(uow, benchmark_id)
    uow.access.authorize_write("enforcement.propose_benchmark", BENCHMARK, benchmark)
    if benchmark["status"] == "proposed":
        raise conflict("the latest version is still being voted on", "proposed")
    _checked(body.tiers)
    number = benchmark["version"] + 1
    scope = BenchmarkScope(benchmark["scope"])
    data = _version(body, benchmark_id, number, benchmark["code"], scope, reason=body.reason, revises=number - 1)
    uow.emit(ev.BENCHMARK_PROPOSED, benchmark_id, data)
    if scope is BenchmarkScope.LOCAL:
        adopt = ev.BenchmarkAdopted(
            benchmark_id=benchmark_id, version=number, effective_from=body.effective_from, adopted_at=now()
        )
        uow.emit(ev.BENCHMARK_ADOPTED, benchmark_id, adopt)
    return benchmark_view(uow, benchmark_id)


def vote(uow: UnitOfWork, benchmark_id: str, body: Vote) -> dict[str, Any]:
    """This region's approval or objection: its own act (on its own topic), whoever owns the benchmark."""
    uow.access.authorize_write("enforcement.vote_benchmark", record_id=benchmark_id)
    version = db.version(uow.conn, benchmark_id, body.version)
    if version is None:
        raise not_found("benchmark version")
    if version["scope"] != BenchmarkScope.ZONE:
        raise conflict("a local variant is not voted on", version["status"])
    if version["status"] != "proposed":
        raise conflict(f"version {body.version} is {version['status']}", version["status"])
    if any(v["region"] == uow.region.value for v in db.votes(uow.conn, benchmark_id, body.version)):
        raise conflict(f"{uow.region.value} has voted on version {body.version}", version["status"])
    at = now()
    if body.vote == "approve":
        uow.emit(
            ev.BENCHMARK_APPROVED,
            benchmark_id,
            ev.BenchmarkApproved(benchmark_id=benchmark_id, version=body.version, approved_at=at),
        )
    else:
        if body.reasons is None:
            raise invalid("reasons", "an objection states its reasons")
        data = ev.BenchmarkObjected(
            benchmark_id=benchmark_id, version=body.version, reasons=body.reasons, objected_at=at
        )
        uow.emit(ev.BENCHMARK_OBJECTED, benchmark_id, data)
    return benchmark_view(uow, benchmark_id)


def measure(
    uow: UnitOfWork, code: str, on: date, factors: ev.Factors
) -> tuple[BenchmarkVersionRow, TierRule, domain.FineRange]:
    """The benchmark in force for `code` on `on` here, the tier these factors fall in, and its fine range."""
    benchmark = db.in_force(uow.conn, code, on, uow.region.value)
    if benchmark is None:
        raise invalid("code", f"no benchmark is in force for {code} on {on.isoformat()}")
    rule = domain.tier_of([TierRule.model_validate(t) for t in benchmark["tiers"]], factors)
    try:
        fines = domain.fine_range(rule.range, factors)
    except domain.NoRange as error:
        raise invalid("factors", str(error)) from None
    return benchmark, rule, fines


def record_decision(uow: UnitOfWork, body: RecordDecision) -> dict[str, Any]:
    decision_id = new_id()
    uow.access.authorize_write("enforcement.decide", record_id=decision_id)
    benchmark, rule, fines = measure(uow, body.code, body.violation_date, body.factors)
    inside = domain.within(rule.range, fines, body.penalty)
    if not inside and body.outside_reason is None:
        raise invalid("outside_reason", f"the penalty is outside the {rule.tier.value} range: state why")
    data = ev.DecisionRecorded(
        decision_id=decision_id,
        code=body.code,
        benchmark_id=benchmark["benchmark_id"],
        benchmark_version=benchmark["version"],
        tier=rule.tier,
        factors=body.factors,
        penalty=body.penalty,
        fine_min_yuan=fines.low,
        fine_max_yuan=fines.high,
        within_range=inside,
        status="final" if inside else "pending_review",
        violation_date=body.violation_date,
        decided_at=now(),
    )
    uow.emit(ev.DECISION_RECORDED, decision_id, data)
    party = body.party
    number = party.id_number if party.kind == "person" else party.credit_code
    details = {"decision_id": decision_id, "party_kind": party.kind, "party_name": party.name, "party_number": number}
    db.add_details(uow.conn, {**details, "outside_reason": body.outside_reason, "case_ref": body.case_ref})
    return decision_view(uow, decision_id)


def sign_off(uow: UnitOfWork, decision_id: str, body: SignOff) -> dict[str, Any]:
    decision = load_decision(uow, decision_id)
    uow.access.authorize_write("enforcement.sign_off", DECISION, decision)
    if decision["status"] != "pending_review":
        raise conflict(
            f"the decision is {decision['status']}: only one pending review is signed off", decision["status"]
        )
    data = ev.DecisionSignedOff(decision_id=decision_id, outcome=body.outcome, signed_off_at=now())
    uow.emit(ev.DECISION_SIGNED_OFF, decision_id, data)
    db.note_sign_off(uow.conn, decision_id, body.note)
    return decision_view(uow, decision_id)
