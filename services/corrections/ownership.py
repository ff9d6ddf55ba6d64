"""Who owns a subject's record: the home region (the one supervising) decides it and holds the full
record; a region takes part while a trip or transfer involving it is active (it may then read the full
record, relayed by the home, and check the subject in or accept the transfer)."""

from __future__ import annotations

import sqlite3

from services.corrections import domain
from services.corrections import store as db
from shared.contracts.regions import zone_today
from shared.rules.ownership import Record, RecordKind


def _takes_part(conn: sqlite3.Connection, subject: Record, region: str) -> bool:
    return domain.involved(region, db.movements(conn, subject["id"]), zone_today())


SUBJECT = RecordKind("subject", owner_field="home_region", takes_part=_takes_part)
# A trip or transfer as a list shows it: the subject's home region owns it, its destination takes part.
MOVEMENT = RecordKind("movement", owner_field="home_region", involved_fields=("destination",))
