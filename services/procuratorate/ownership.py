"""Who owns what in the procuratorates' channel. A referral or an assistance request is the sending
office's; the receiving region takes part and owns its decision (acceptance, assignment, answer). A joint
case is its lead region's; the participants take part. A material is its holder's; every region party to
its record takes part (it may read it, point to point, with a purpose)."""

from __future__ import annotations

import sqlite3

from services.procuratorate import store as db
from shared.rules.ownership import Record, RecordKind


def _party_to_record(conn: sqlite3.Connection, record: Record, region: str) -> bool:
    return db.is_party(conn, record["record_id"], region)


def _party(conn: sqlite3.Connection, record: Record, region: str) -> bool:
    return db.is_party(conn, record["id"], region)


REFERRAL = RecordKind("referral", owner_field="from_region", involved_fields=("to_region",))
REFERRAL_DECISION = RecordKind("referral", owner_field="to_region")  # the receiver decides: its own act
ASSISTANCE = RecordKind("assistance request", owner_field="requesting_region", involved_fields=("asked_region",))
ASSISTANCE_WORK = RecordKind("assistance request", owner_field="asked_region")  # assigned and answered there
JOINT_CASE = RecordKind("joint case", owner_field="lead_region", takes_part=_party)
MATERIAL = RecordKind("material", owner_field="holder_region", takes_part=_party_to_record)
# The texts a region wrote for a record (held there): the record's parties take part.
TEXTS = RecordKind("record's texts", owner_field="holder_region", takes_part=_party_to_record)
# What a material is registered for (a referral, request or case): its owner's, and its parties take part.
PARENT = RecordKind("record", owner_field="owner_region", takes_part=_party)
