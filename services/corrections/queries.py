"""Subject queries: the minimised profile everywhere, the full record at home or during a travel or
transfer involving the caller's region (relayed to the home), and the hit/no-hit lookup."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from services.corrections import domain
from services.corrections import store as db
from shared import records
from shared.auth.policy import DataClass
from shared.identity import keyed_hash
from shared.problems import not_found
from shared.regions import zone_today
from shared.uow import UnitOfWork

if TYPE_CHECKING:
    from services.corrections.service import Config


def load(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    subject = db.get(uow.conn, subject_id)
    if subject is None or subject["home_region"] is None:
        raise not_found("subject")
    return subject


def lookup(uow: UnitOfWork, id_number: str, config: Config) -> dict[str, Any]:
    """Hit or no hit, from the local read model, by keyed hash: the subject id and home region, nothing else."""
    uow.authorize_write("corrections.lookup", data_class=DataClass.SUBJECT_LOOKUP)
    found = db.active_by_hash(uow.conn, keyed_hash(id_number, config.id_hash_key))
    if found:
        uow.about(found["id"], found["home_region"])  # a hit is a read about that subject
    return {"hit": True, "subject_id": found["id"], "home_region": found["home_region"]} if found else {"hit": False}


def _involved(uow: UnitOfWork, subject: dict[str, Any]) -> bool:
    return domain.involved(uow.acting_region, db.movements(uow.conn, subject["id"]), zone_today())


def read(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    subject = load(uow, subject_id)
    uow.authorize_read("corrections.read", subject_id, subject["home_region"], _involved(uow, subject))
    return view(uow, subject_id)


def read_detail(uow: UnitOfWork, subject_id: str) -> dict[str, Any] | None:
    """The full record: the home region's officers, or another region's during an active travel or transfer
    to it. Held by the home region; None here means: relay to it."""
    subject = load(uow, subject_id)
    home = subject["home_region"]
    return uow.read_held(
        "corrections.read_detail",
        DataClass.CORRECTIONS_DETAIL,
        subject_id,
        home,
        involved=_involved(uow, subject),
        read=lambda: _full_record(uow, subject_id, home),
    )


def _full_record(uow: UnitOfWork, subject_id: str, home: str) -> dict[str, Any]:
    """Everything the home region holds on a subject: the record and every violation's details, so a
    transfer hands all of it over."""
    violations = db.violations(uow.conn, subject_id)
    return {"subject_id": subject_id, "home_region": home, **db.details(uow.conn, subject_id), "violations": violations}


def holder_of(uow: UnitOfWork, subject_id: str) -> str:
    return load(uow, subject_id)["home_region"]


def view(uow: UnitOfWork, subject_id: str) -> dict[str, Any]:
    """The minimised profile with travels, transfers, violations and timeline; violation details only for
    the home region's own officers (the caller's region owns the record, whichever instance answers)."""
    subject = load(uow, subject_id)
    at_home = uow.acting_region == subject["home_region"] == uow.region.value
    violations = [
        v if at_home else {k: x for k, x in v.items() if k != "details"} for v in db.violations(uow.conn, subject_id)
    ]
    shown = {k: v for k, v in subject.items() if k != "id_hash"}
    return {
        **shown,
        "travels": db.travels(uow.conn, subject_id),
        "transfers": db.transfers(uow.conn, subject_id),
        "violations": violations,
        "timeline": records.timeline(uow.conn, subject_id),
    }


def search(uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    uow.require_any_grant("corrections.read")
    result = db.search(uow.conn, filters, limit, cursor)

    def visible(s: dict[str, Any]) -> bool:
        return uow.may_read("corrections.read", s["home_region"], _involved(uow, s))

    items = [{k: v for k, v in s.items() if k != "id_hash"} for s in result["items"] if visible(s)]
    return {**result, "items": items}
