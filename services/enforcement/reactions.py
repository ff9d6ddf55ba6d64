"""What a benchmark's owner does when a region's approval reaches it (its own included): once the three
regions have approved the same version, and none objected, it adopts that version, in force from its date.
The count is the owner's alone: the other regions learn of the adoption from its event."""

from __future__ import annotations

from services.enforcement import domain
from services.enforcement import store as db
from services.enforcement.ownership import BENCHMARK
from shared.contracts import enforcement as ev
from shared.contracts.envelope import Event
from shared.core.route import Table
from shared.core.uow import UnitOfWork, now


def count_approvals(uow: UnitOfWork, event: Event) -> None:
    data: ev.BenchmarkApproved = event.data
    if not BENCHMARK.owned_by(db.get_benchmark(uow.conn, data.benchmark_id), uow.region):
        return
    version = db.version(uow.conn, data.benchmark_id, data.version)
    if version is None or version["status"] != "proposed":
        return
    approvals = {v["region"] for v in db.votes(uow.conn, data.benchmark_id, data.version) if v["vote"] == "approve"}
    if len(approvals) < domain.APPROVERS:
        return
    adopted = ev.BenchmarkAdopted(
        benchmark_id=data.benchmark_id,
        version=data.version,
        effective_from=version["effective_from"],
        adopted_at=now(),
    )
    uow.emit(ev.BENCHMARK_ADOPTED, data.benchmark_id, adopted)


REACTIONS: Table = {ev.BENCHMARK_APPROVED: count_approvals}
