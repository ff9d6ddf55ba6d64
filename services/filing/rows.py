"""The filing tables' rows as the store hands them back (types only: a row stays a dict). Columns not
NOT NULL may be empty: a later event can make a stub row before the filing's `submitted` arrives. The
stored `listed` JSON is what a list sends, never a field of a row."""

from __future__ import annotations

from typing import TypedDict


class PartyRow(TypedDict):
    """A party to a filing: masked in a filing's `parties`, in full as the receiving region holds it."""

    role: str
    kind: str
    name: str
    identifier: str


class FilingPartyRow(PartyRow):
    """A row of filing_parties: a party in full, kept by the receiving region in the order filed."""

    filing_id: str
    position: int


class FilingRow(TypedDict):
    """A row of filings: a filing as every region's read model holds it (JSON decoded, flags as bool)."""

    id: str
    receiving_region: str | None
    court_region: str | None
    case_type: str | None
    status: str
    version: int
    claim_summary: str | None
    claim_amount: str | None  # a decimal, as text
    documents: list[dict[str, str]] | None  # each a document's name and sha256
    parties: list[PartyRow] | None  # masked
    filed_by: str | None
    submitted_at: str | None
    received_at: str | None
    decision_due: str | None
    decided_at: str | None
    docket_number: str | None
    reason: str | None
    missing_items: list[str] | None
    correction_deadline: str | None  # a day
    overdue_flagged: bool
    agency: str | None
    correction_lapsed: bool
