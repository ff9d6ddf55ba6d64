"""Who owns a filing: the court region decides it; the receiving window takes part, and holds the
parties' full identities (which the court reads point to point)."""

from __future__ import annotations

from shared.rules.ownership import RecordKind

FILING = RecordKind(
    "filing", owner_field="court_region", involved_fields=("receiving_region",), agency_fields=("agency",)
)
PARTIES = RecordKind("filing", owner_field="receiving_region", involved_fields=("court_region",))
