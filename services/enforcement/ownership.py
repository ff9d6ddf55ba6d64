"""Who owns what in enforcement: a benchmark is the proposing region's (the others' approvals and
objections are their own acts, which its owner counts); a decision is the deciding region's, and the
agency system that recorded it is party to it."""

from __future__ import annotations

from shared.rules.ownership import RecordKind

BENCHMARK = RecordKind("benchmark", owner_field="owner_region")
DECISION = RecordKind("decision", owner_field="decided_region", agency_fields=("agency",))
