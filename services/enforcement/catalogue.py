"""The starting catalogue (deploy/enforcement/catalogue.yaml) and `yrd enforcement seed`: each region's
own act on it. The first region to seed proposes, as zone benchmarks, the catalogue's violations that no
benchmark covers yet, and approves them; each other region seeding approves the catalogue's proposals it
has received and not voted on. Once all three have (and the events have flowed), they are in force."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from services.enforcement import domain
from services.enforcement import store as db
from shared.contracts import enforcement as ev
from shared.contracts.enforcement import BenchmarkScope, TierRule
from shared.contracts.ids import new_id
from shared.core.uow import UnitOfWork, now

CATALOGUE = Path(__file__).resolve().parents[2] / "deploy" / "enforcement" / "catalogue.yaml"


class Violation(BaseModel):
    code: str
    name: str
    legal_basis: str
    article: str
    source: str  # what is sourced and what invented
    tiers: list[TierRule] = Field(min_length=1)


class Catalogue(BaseModel):
    effective_from: date
    violations: list[Violation]


def load(path: Path = CATALOGUE) -> Catalogue:
    catalogue = Catalogue.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    for violation in catalogue.violations:
        domain.check_tiers(violation.tiers)
    return catalogue


def seed(uow: UnitOfWork, catalogue: Catalogue) -> dict[str, list[str]]:
    """This region's part: propose what no benchmark covers, approve what others proposed. Answers the codes."""
    proposed, approved = [], []
    region = uow.region.value
    for violation in catalogue.violations:
        known = db.search_benchmarks(uow.conn, {"code": violation.code, "scope": "zone"}, 100, None)["items"]
        if not known:
            benchmark_id = new_id()
            data = ev.BenchmarkProposed(
                benchmark_id=benchmark_id,
                version=1,
                code=violation.code,
                name=violation.name,
                legal_basis=violation.legal_basis,
                article=violation.article,
                scope=BenchmarkScope.ZONE,
                tiers=violation.tiers,
                effective_from=catalogue.effective_from,
                reason=f"starting catalogue: {violation.source}",
                proposed_at=now(),
            )
            uow.emit(ev.BENCHMARK_PROPOSED, benchmark_id, data)
            proposed.append(violation.code)
            known = [{"id": benchmark_id, "version": 1, "status": "proposed"}]
        for benchmark in known:
            voted = {v["region"] for v in db.votes(uow.conn, benchmark["id"], benchmark["version"])}
            if benchmark["status"] == "proposed" and region not in voted:
                approval = ev.BenchmarkApproved(
                    benchmark_id=benchmark["id"], version=benchmark["version"], approved_at=now()
                )
                uow.emit(ev.BENCHMARK_APPROVED, benchmark["id"], approval)
                approved.append(violation.code)
    return {"proposed": proposed, "approved": approved}
