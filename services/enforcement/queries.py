"""Enforcement queries: benchmarks and their versions, the version in force on a day, decisions and their
party (at the deciding region only), similar cases and the regions' consistency."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from services.enforcement import domain
from services.enforcement import store as db
from services.enforcement.ownership import BENCHMARK, DECISION
from services.enforcement.rows import BenchmarkRow, BenchmarkVersionRow, DecisionRow
from services.enforcement.views import BenchmarkVote
from shared.adapters import records
from shared.contracts.problems import not_found
from shared.contracts.regions import Region
from shared.core.uow import UnitOfWork
from shared.rules.policy import DataClass

# What a vote shows in a benchmark's view: the `BenchmarkVote` view's fields (its benchmark is the view's).
_VOTE_SHOWN = tuple(BenchmarkVote.model_fields)


def load_benchmark(uow: UnitOfWork, benchmark_id: str) -> BenchmarkRow:
    return BENCHMARK.known(db.get_benchmark(uow.conn, benchmark_id))


def load_decision(uow: UnitOfWork, decision_id: str) -> DecisionRow:
    return DECISION.known(db.get_decision(uow.conn, decision_id))


def _vote_shown(vote: Mapping[str, Any]) -> dict[str, Any]:
    return {k: vote[k] for k in _VOTE_SHOWN}


def benchmark_view(uow: UnitOfWork, benchmark_id: str) -> dict[str, Any]:
    return {
        **load_benchmark(uow, benchmark_id),
        "versions": db.versions(uow.conn, benchmark_id),
        "votes": [_vote_shown(vote) for vote in db.votes(uow.conn, benchmark_id)],
        "timeline": records.timeline(uow.conn, benchmark_id),
    }


def read_benchmark(uow: UnitOfWork, benchmark_id: str) -> dict[str, Any]:
    uow.access.authorize_read("enforcement.read", BENCHMARK, load_benchmark(uow, benchmark_id))
    return benchmark_view(uow, benchmark_id)


def in_force(uow: UnitOfWork, code: str, on: date, region: Region) -> BenchmarkVersionRow:
    uow.access.require_any_grant("enforcement.read")
    found = db.in_force(uow.conn, code, on, region.value)
    if found is None:
        raise not_found(f"benchmark in force for {code} on {on.isoformat()} in {region.value}")
    return found


def search_benchmarks(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.access.require_any_grant("enforcement.read")
    result = db.search_benchmarks(uow.conn, filters, limit, cursor)
    return {**result, "items": uow.access.readable("enforcement.read", BENCHMARK, result["items"])}


def decision_view(uow: UnitOfWork, decision_id: str) -> dict[str, Any]:
    held = db.details(uow.conn, decision_id)  # at the deciding region only
    return {
        **load_decision(uow, decision_id),
        "outside_reason": held["outside_reason"] if held else None,
        "timeline": records.timeline(uow.conn, decision_id),
    }


def read_decision(uow: UnitOfWork, decision_id: str) -> dict[str, Any]:
    uow.access.authorize_read("enforcement.read", DECISION, load_decision(uow, decision_id))
    return decision_view(uow, decision_id)


def search_decisions(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.access.require_any_grant("enforcement.read")
    result = db.search_decisions(uow.conn, filters, limit, cursor)
    return {**result, "items": uow.access.readable("enforcement.read", DECISION, result["items"])}


def read_party(uow: UnitOfWork, decision_id: str) -> dict[str, Any] | None:
    """The party in full: held by the deciding region, read there with purpose `law-enforcement` (audited).
    None: ask the deciding region's instance."""
    decision = load_decision(uow, decision_id)

    def held() -> dict[str, Any]:
        party = db.details(uow.conn, decision_id)
        if party is None:
            raise not_found("party of this decision")
        return {
            "decision_id": decision_id,
            "kind": party["party_kind"],
            "name": party["party_name"],
            "number": party["party_number"],
            "case_ref": party["case_ref"],
        }

    return uow.access.read_held("enforcement.read_party", DataClass.ENFORCEMENT_PARTY, DECISION, decision, held)


def decider_of(uow: UnitOfWork, decision_id: str) -> str:
    return DECISION.owner(load_decision(uow, decision_id))


def similar_cases(uow: UnitOfWork, code: str, tier: str) -> list[dict[str, Any]]:
    """Each region's figures for the final decisions of a code and tier, from this region's read model."""
    uow.access.require_any_grant("enforcement.read")
    fines: dict[str, list[int]] = defaultdict(list)
    for row in db.similar_fines(uow.conn, code, tier):
        fines[row["decided_region"]].append(row["fine_yuan"])
    return [{"region": r.value, **dataclasses.asdict(domain.figures(fines[r.value]))} for r in Region]


def consistency(uow: UnitOfWork, first: date, last: date, config: Any) -> list[domain.Consistency]:
    """Per code and tier, the regions' decisions from `first` to `last` (zone dates) compared."""
    return consistency_of(db.decided_between(uow.conn, first, last), config)


def consistency_of(rows: list[Any], config: Any) -> list[domain.Consistency]:
    grouped: dict[tuple[str, str], dict[str, list[tuple[int, bool]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grouped[row["code"], row["tier"]][row["decided_region"]].append((row["fine_yuan"], bool(row["within_range"])))
    return [
        domain.consistency(
            code, tier, by_region, config.disparity_threshold, config.outside_share_limit, config.min_cases
        )
        for (code, tier), by_region in sorted(grouped.items())
    ]


def month_bounds(month: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def consistency_report(uow: UnitOfWork, month: str, config: Any) -> dict[str, Any]:
    uow.access.require_any_grant("enforcement.read")
    first, last = month_bounds(month)
    return {
        "month": month,
        "threshold": config.disparity_threshold,
        "outside_share_limit": config.outside_share_limit,
        "items": [_shown(c) for c in consistency(uow, first, last, config)],
    }


def _shown(found: domain.Consistency) -> dict[str, Any]:
    shown = dataclasses.asdict(found)
    shown["regions"] = [{**r, "flagged": list(r["flagged"])} for r in shown["regions"]]
    return shown
