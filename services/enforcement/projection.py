"""The enforcement read models (benchmarks and their versions and votes, decision summaries): one function
per event type, applied to every region's events alike."""

from __future__ import annotations

from services.enforcement import store as db
from shared.adapters import records
from shared.contracts import enforcement as ev
from shared.contracts.envelope import Event
from shared.contracts.regions import zone_date
from shared.core.route import Table
from shared.core.uow import UnitOfWork


def benchmark_proposed(uow: UnitOfWork, event: Event) -> None:
    data: ev.BenchmarkProposed = event.data
    version = {
        **data.model_dump(exclude={"tiers", "effective_from"}),
        "tiers": [t.model_dump(mode="json") for t in data.tiers],
        "effective_from": data.effective_from.isoformat(),  # days as ISO text: "in force on" compares them
        "owner_region": event.region.value,
    }
    db.add_version(uow.conn, version)
    if any(v["vote"] == "object" for v in db.votes(uow.conn, data.benchmark_id, data.version)):
        # an objection read here before the proposal (another region's topic): the version is back already
        db.set_version_status(uow.conn, data.benchmark_id, data.version, status="objected")
    db.refresh_benchmark(uow.conn, data.benchmark_id)
    detail = {"version": data.version, "code": data.code, "effective_from": data.effective_from.isoformat()}
    records.add_timeline(uow.conn, event, data.benchmark_id, {**detail, "reason": data.reason})


def _vote(uow: UnitOfWork, event: Event, version: int, vote: str, reasons: str | None) -> None:
    benchmark_id = event.data.benchmark_id
    db.add_vote(
        uow.conn,
        {
            "benchmark_id": benchmark_id,
            "version": version,
            "region": event.region.value,
            "vote": vote,
            "reasons": reasons,
            "at": event.time,
        },
    )
    records.add_timeline(uow.conn, event, benchmark_id, {"version": version, "vote": vote, "reasons": reasons})


def benchmark_approved(uow: UnitOfWork, event: Event) -> None:
    data: ev.BenchmarkApproved = event.data
    _vote(uow, event, data.version, "approve", None)


def benchmark_objected(uow: UnitOfWork, event: Event) -> None:
    """An objection sends the version back for revision, wherever it is read."""
    data: ev.BenchmarkObjected = event.data
    _vote(uow, event, data.version, "object", data.reasons)
    db.object_to(uow.conn, data.benchmark_id, data.version)
    db.refresh_benchmark(uow.conn, data.benchmark_id)


def benchmark_adopted(uow: UnitOfWork, event: Event) -> None:
    data: ev.BenchmarkAdopted = event.data
    db.set_version_status(uow.conn, data.benchmark_id, data.version, status="adopted", adopted_at=data.adopted_at)
    db.refresh_benchmark(uow.conn, data.benchmark_id)
    detail = {"version": data.version, "effective_from": data.effective_from.isoformat()}
    records.add_timeline(uow.conn, event, data.benchmark_id, detail)


def decision_recorded(uow: UnitOfWork, event: Event) -> None:
    data: ev.DecisionRecorded = event.data
    values = {
        "id": data.decision_id,
        "decided_region": event.region.value,
        "agency": event.agency,
        **data.model_dump(exclude={"decision_id", "status", "violation_date"}),
        "violation_date": data.violation_date.isoformat(),
        "fine_yuan": data.penalty.fine_yuan,
        "within_range": int(data.within_range),
        "decided_on": zone_date(data.decided_at).isoformat(),
    }
    # A sign-off that arrived first has set the status already: keep it.
    records.merge(uow.conn, "decisions", values)
    db.set_status_if_unset(uow.conn, data.decision_id, data.status)
    detail = {"code": data.code, "tier": data.tier.value, "within_range": data.within_range}
    records.add_timeline(uow.conn, event, data.decision_id, detail)


def decision_signed_off(uow: UnitOfWork, event: Event) -> None:
    data: ev.DecisionSignedOff = event.data
    status = "final" if data.outcome == "approved" else "rejected"
    records.merge(
        uow.conn, "decisions", {"id": data.decision_id, "status": status, "signed_off_at": data.signed_off_at}
    )
    records.add_timeline(uow.conn, event, data.decision_id, {"outcome": data.outcome})


PROJECTION: Table = {
    ev.BENCHMARK_PROPOSED: benchmark_proposed,
    ev.BENCHMARK_APPROVED: benchmark_approved,
    ev.BENCHMARK_OBJECTED: benchmark_objected,
    ev.BENCHMARK_ADOPTED: benchmark_adopted,
    ev.DECISION_RECORDED: decision_recorded,
    ev.DECISION_SIGNED_OFF: decision_signed_off,
}
