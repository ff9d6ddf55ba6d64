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
    correction_lapsed: bool  # the correction's deadline passed without a resubmission (the court may reject)
    agency: str | None  # the agency system that submitted it, if one did


class SubmittedFiling(Filing):
    filing_code: str  # for the party to ask at the window without a login; shown this once, never again


class CorrectionNotice(View):
    missing_items: list[str]
    deadline: date
    lapsed: bool


class FilingStatusView(View):
    """What a party may be told without a login: where the filing stands, never anyone's personal data."""

    filing_id: str
    court_region: str
    status: FilingStatus
    submitted_at: datetime
    received_at: datetime | None
    decided_at: datetime | None
    docket_number: str | None
    reason: str | None  # why it was rejected
    correction: CorrectionNotice | None  # the one-time notice of what to supply, and by when


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
