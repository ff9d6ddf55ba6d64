"""Subject queries: the minimised profile everywhere, the full record at home or during a travel or
transfer involving the caller's region (relayed to the home), and the hit/no-hit lookup."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.corrections import store as db
from services.corrections.config import Config
from services.corrections.ownership import MOVEMENT, SUBJECT
from services.corrections.rows import SubjectRow
from services.corrections.views import Subject
from shared.adapters import records
from shared.contracts.problems import Problem
from shared.core.uow import UnitOfWork
from shared.rules.identity import keyed_hash
from shared.rules.policy import DataClass

# What a subject's profile shows: the `Subject` view's fields (every column but the keyed hash).
_SHOWN = tuple(Subject.model_fields)


def load(uow: UnitOfWork, subject_id: str) -> SubjectRow:
    return SUBJECT.known(db.get(uow.conn, subject_id))


def _shown(subject: Mapping[str, Any]) -> dict[str, Any]:
    return {k: subject[k] for k in _SHOWN}


def lookup(uow: UnitOfWork, id_number: str, config: Config) -> dict[str, Any]:
    """Hit or no hit, from the local read model, by keyed hash: the subject id and home region, nothing else."""
    uow.access.authorize_write("corrections.lookup", data_class=DataClass.SUBJECT_LOOKUP)
    found = db.active_by_hash(uow.conn, keyed_hash(id_number, config.id_hash_key))
    if found:
        uow.access.about(found["id"], SUBJECT.owner(found))  # a hit is a read about that subject
    return {"hit": True, "subject_id": found["id"], "home_region": SUBJECT.owner(found)} if found else {"hit": False}


def read(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    """The profile; for the home region's own officer who states a purpose, with the full record too (one
    call serves the owner; the record's read is authorised and audited as `/detail`'s is)."""
    subject = load(uow, subject_id)
    uow.access.authorize_read("corrections.read", SUBJECT, subject)
    at_home = uow.access.acting_region == uow.region.value and SUBJECT.owned_by(subject, uow.region)
    record = read_detail(uow, subject_id) if at_home and uow.access.purpose else None
    return {**view(uow, subject_id), "record": record}


def read_detail(uow: UnitOfWork, subject_id: str) -> dict[str, Any] | None:
    """The full record: the home region's officers, or another region's during an active travel or transfer
    to it. Held by the home region; None here means: relay to it."""
    subject = load(uow, subject_id)

    def held() -> dict[str, Any]:
        return _full_record(uow, subject_id, SUBJECT.owner(subject))

    return uow.access.read_held("corrections.read_detail", DataClass.CORRECTIONS_DETAIL, SUBJECT, subject, held)


def _full_record(uow: UnitOfWork, subject_id: str, home: str) -> dict[str, Any]:
    """Everything the home region holds on a subject: the record and every violation's details, so a
    transfer hands all of it over."""
    details = db.details(uow.conn, subject_id)
    if details is None:
        raise Problem(404, "not-found", "Not found", "the full record was purged after its retention period")
    violations = db.violations(uow.conn, subject_id)
    return {"subject_id": subject_id, "home_region": home, **details, "violations": violations}


def holder_of(uow: UnitOfWork, subject_id: str) -> str:
    return SUBJECT.owner(load(uow, subject_id))


def view(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    """The minimised profile with travels, transfers, violations and timeline; violation details only for
    the home region's own officers (the caller's region owns the record, whichever instance answers)."""
    subject = load(uow, subject_id)
    at_home = uow.access.acting_region == uow.region.value and SUBJECT.owned_by(subject, uow.region)
    violations = [
        v if at_home else {k: x for k, x in v.items() if k != "details"} for v in db.violations(uow.conn, subject_id)
    ]
    return {
        **_shown(subject),
        "travels": db.travels(uow.conn, subject_id),
        "transfers": db.transfers(uow.conn, subject_id),
        "violations": violations,
        "timeline": records.timeline(uow.conn, subject_id),
        "record": None,  # the full record only when `read` is asked for it
    }


def movements(uow: UnitOfWork, table: str, filters: dict[str, Any], limit: int, cursor: str | None) -> dict:
    """Trips or transfers (`table`), as far as the reader may see them: its home region's, the region each
    goes to, or every region's for a role the policy lets read them all."""
    uow.access.require_any_grant("corrections.read")
    result = db.search_movements(uow.conn, table, filters, limit, cursor)
    return {**result, "items": uow.access.readable("corrections.read", MOVEMENT, result["items"])}


def search(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.access.require_any_grant("corrections.read")
    result = db.search(uow.conn, filters, limit, cursor)

    visible = uow.access.readable("corrections.read", SUBJECT, result["items"])
    return {**result, "items": [_shown(s) for s in visible]}
