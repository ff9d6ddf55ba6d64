"""Filing queries: what a clerk or officer may see of a filing, its parties and the collection. Nothing
here writes but the audit of sensitive reads (the unit of work records it)."""

from __future__ import annotations

from typing import Any

from services.filing import store as db
from services.filing.ownership import FILING, PARTIES
from shared.adapters import records
from shared.core.uow import UnitOfWork
from shared.rules.identity import keyed_hash
from shared.rules.policy import DataClass


def load(uow: UnitOfWork, filing_id: str) -> dict[str, Any]:
    return FILING.known(db.get(uow.conn, filing_id))


def read(uow: UnitOfWork, filing_id: str) -> dict[str, Any]:
    filing = load(uow, filing_id)
    uow.authorize_read("filing.read", FILING, filing)
    return {**filing, "timeline": records.timeline(uow.conn, filing_id)}


def read_parties(uow: UnitOfWork, filing_id: str) -> dict[str, Any] | None:
    """Full party detail, held by the receiving region. None: ask the receiving region's instance."""
    filing = load(uow, filing_id)

    def held() -> dict[str, Any]:
        return {
            "filing_id": filing_id,
            "holder_region": PARTIES.owner(filing),
            "parties": db.parties(uow.conn, filing_id),
        }

    return uow.read_held("filing.read_parties", DataClass.FILING_PARTIES, PARTIES, filing, held)


def holder_of(uow: UnitOfWork, filing_id: str) -> str:
    return PARTIES.owner(load(uow, filing_id))


def search(
    uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None, id_hash_key: bytes
) -> dict[str, Any]:
    """Deny a role with no read grant at all; otherwise show the rows its grants cover. A search by a party's
    ID number needs its own grant and a purpose, is audited, and looks for the number's keyed hash only."""
    uow.require_any_grant("filing.read")
    if id_number := filters.pop("party_id_number", None):
        uow.authorize_write("filing.find_by_party", data_class=DataClass.PARTY_SEARCH)
        filters["party_hash"] = keyed_hash(id_number, id_hash_key)
    result = db.search(uow.conn, filters, limit, cursor)
    return {**result, "items": [f for f in result["items"] if uow.may_read("filing.read", FILING, f)]}
