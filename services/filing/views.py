"""What the filing routes answer (response models; the routes send stored JSON as it is)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from services.filing.domain import FilingStatus
from shared.contracts.filing import CaseType, Document, MaskedParty
from shared.contracts.views import Page, TimelineEntry, View


class Filing(View):
    """A filing as every region's read model holds it: parties masked, state decided by the court."""

    id: str
    receiving_region: str
    court_region: str
    case_type: CaseType
    status: FilingStatus
    version: int
    claim_summary: str
    claim_amount: Decimal | None
    documents: list[Document]
    parties: list[MaskedParty]
    filed_by: str
    submitted_at: datetime
    received_at: datetime | None
    decision_due: datetime | None
    decided_at: datetime | None
    docket_number: str | None
    reason: str | None
    missing_items: list[str] | None  # the one-time notice of what to supply
    correction_deadline: date | None
    overdue_flagged: bool
    agency: str | None  # the agency system that submitted it, if one did


class FilingView(Filing):
    timeline: list[TimelineEntry]


class Party(View):
    role: Literal["plaintiff", "defendant"]
    kind: Literal["person", "organisation"]
    name: str
    identifier: str  # the full ID number or credit code


class Parties(View):
    """The parties in full, held and served by the receiving region (sensitive: purpose required, audited)."""

    filing_id: str
    holder_region: str
    parties: list[Party]


FilingPage = Page[Filing]
