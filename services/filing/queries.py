"""Filing queries: what a clerk or officer may see of a filing, its parties and the collection. Nothing
here writes but the audit of sensitive reads (the unit of work records it)."""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson

from services.filing import domain
from services.filing import store as db
from services.filing.ownership import FILING, PARTIES
from services.filing.rows import FilingRow
from services.filing.views import FilingStatusView
from shared.adapters import records
from shared.contracts.problems import not_found
from shared.core.uow import UnitOfWork
from shared.rules.identity import keyed_hash
from shared.rules.policy import DataClass


def load(uow: UnitOfWork, filing_id: str) -> FilingRow:
    return FILING.known(db.get(uow.conn, filing_id))


def read(uow: UnitOfWork, filing_id: str) -> dict[str, Any]:
    filing = load(uow, filing_id)
    uow.access.authorize_read("filing.read", FILING, filing)
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

    return uow.access.read_held("filing.read_parties", DataClass.FILING_PARTIES, PARTIES, filing, held)


def holder_of(uow: UnitOfWork, filing_id: str) -> str:
    return PARTIES.owner(load(uow, filing_id))


def search(
    uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None, id_hash_key: bytes
) -> dict[str, Any]:
    """Deny a role with no read grant at all; otherwise show the rows its grants cover. A search by a party's
    ID number needs its own grant and a purpose, is audited, and looks for the number's keyed hash only."""
    uow.access.require_any_grant("filing.read")
    if id_number := filters.pop("party_id_number", None):
        uow.access.authorize_write("filing.find_by_party", data_class=DataClass.PARTY_SEARCH)
        filters["party_hash"] = keyed_hash(id_number, id_hash_key)
    result = db.search(uow.conn, filters, limit, cursor)
    readable = uow.access.readable("filing.read", FILING, result["items"])
    return {**result, "items": [orjson.Fragment(item["listed"]) for item in readable]}


def public_status(conn: sqlite3.Connection, filing_id: str, code: str, id_hash_key: bytes) -> dict[str, Any]:
    """A filing's status for whoever holds its code, at the window that received it. A wrong code, another
    region's filing and no such filing all answer the same 404, so nothing can be probed."""
    filing = db.by_code(conn, filing_id, keyed_hash(domain.normalized_code(code), id_hash_key))
    if filing is None:
        raise not_found("filing with this code here")
    notice = filing["missing_items"] is not None and filing["status"] == "correction_requested"
    return {
        **{k: filing[k] for k in _PUBLIC_FIELDS},
        "filing_id": filing["id"],
        "correction": {
            "missing_items": filing["missing_items"],
            "deadline": filing["correction_deadline"],
            "lapsed": filing["correction_lapsed"],
        }
        if notice
        else None,
    }


# The filing's own columns a party is told (the view's other fields are named or built above).
_PUBLIC_FIELDS = tuple(f for f in FilingStatusView.model_fields if f not in ("filing_id", "correction"))
