"""The free texts of the channel (a referral's title and summary, a request's subject, an answer's results,
a decline's reasons, a finding's summary, a step's note): held by the region that wrote them, never on a
topic. Events and read models carry each text's SHA-256; the record's parties read the text point to
point from its holder (purpose `prosecution`, authorised and audited there), and the reader checks it
against the hash it holds."""

from __future__ import annotations

import hashlib
from typing import Any

from services.procuratorate import store as db
from services.procuratorate.ownership import TEXTS
from shared.contracts.problems import not_found
from shared.core.uow import UnitOfWork
from shared.rules.policy import DataClass


def hold(uow: UnitOfWork, record_id: str, part: str, text: str) -> str:
    """Keep a text written here for `record_id`; its SHA-256 is what the event carries."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    db.hold_text(uow.conn, record_id, part, digest, text)
    return digest


def entry(part: str, holder: str, digest: str | None) -> dict[str, Any] | None:
    """A text as a record view names it: that it exists, who holds it, its hash; `text` once read."""
    return None if digest is None else {"part": part, "holder_region": holder, "sha256": digest, "text": None}


def read(uow: UnitOfWork, record_id: str, holder: str) -> dict[str, Any] | None:
    """The texts `holder` wrote for a record, at the holder only (None elsewhere: ask the holder)."""
    if not db.parties(uow.conn, record_id):
        raise not_found("referral, assistance request or joint case")
    texts = {"id": record_id, "record_id": record_id, "holder_region": holder}

    def held() -> dict[str, Any]:
        return {"record_id": record_id, "holder_region": holder, "texts": db.held_texts(uow.conn, record_id)}

    return uow.access.read_held("procuratorate.read_text", DataClass.PROSECUTION_TEXT, TEXTS, texts, held)


def fill(view: dict[str, Any], holder: str, served: list[dict[str, Any]]) -> None:
    """Show in `view` the texts its holder served, each only if it matches the hash the events carried."""
    by_part = {t["part"]: t for t in served}
    for item in view["texts"]:
        got = by_part.get(item["part"]) if item["holder_region"] == holder else None
        if got is not None and hashlib.sha256(got["text"].encode()).hexdigest() == item["sha256"]:
            item["text"] = got["text"]
