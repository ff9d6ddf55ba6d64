"""Filing queries: what a clerk or officer may see of a filing, its parties and the collection. Nothing
here writes but the audit of sensitive reads (the unit of work records it)."""

from __future__ import annotations

from typing import Any

from services.filing import store as db
from shared import records
from shared.auth.policy import DataClass, agencies_of
from shared.problems import not_found
from shared.uow import UnitOfWork


def load(uow: UnitOfWork, filing_id: str) -> dict[str, Any]:
    filing = db.get(uow.conn, filing_id)
    if filing is None or filing["court_region"] is None:
        raise not_found("filing")
    return filing


def read(uow: UnitOfWork, filing_id: str) -> dict[str, Any]:
    filing = load(uow, filing_id)
    involved = uow.acting_region == filing["receiving_region"]
    uow.authorize_read("filing.read", filing_id, filing["court_region"], involved, agencies_of(filing))
    return {**filing, "timeline": records.timeline(uow.conn, filing_id)}


def read_parties(uow: UnitOfWork, filing_id: str) -> dict[str, Any] | None:
    """Full party detail, held by the receiving region. None: ask the receiving region's instance."""
    filing = load(uow, filing_id)
    holder = filing["receiving_region"]
    return uow.read_held(
        "filing.read_parties",
        DataClass.FILING_PARTIES,
        filing_id,
        holder,
        involved=uow.acting_region == filing["court_region"],
        read=lambda: {"filing_id": filing_id, "holder_region": holder, "parties": db.parties(uow.conn, filing_id)},
    )


def holder_of(uow: UnitOfWork, filing_id: str) -> str:
    return load(uow, filing_id)["receiving_region"]


def _readable(uow: UnitOfWork, filing: dict[str, Any]) -> bool:
    involved = uow.acting_region == filing["receiving_region"]
    return uow.may_read("filing.read", filing["court_region"], involved, agencies_of(filing))


def search(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    """Deny a role with no read grant at all; otherwise show the rows its grants cover."""
    uow.require_any_grant("filing.read")
    result = db.search(uow.conn, filters, limit, cursor)
    return {**result, "items": [f for f in result["items"] if _readable(uow, f)]}
