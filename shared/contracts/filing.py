"""Cross-region court filing events (on `{region}.filing`).

The receiving region emits `submitted`; from `received` on only the court region emits outcomes. A
receiving region that is not the court asks with `*-requested` events. State-changing events carry the
owner's version counter, so read models converge whichever region's topic they read first.
Parties appear masked: the full names and ID numbers stay with the receiving region and are read point
to point, with a purpose.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import Field

from shared.contracts.base import Payload, declare
from shared.contracts.regions import Domain


class CaseType(StrEnum):
    CIVIL = "civil"
    ADMINISTRATIVE = "administrative"
    CRIMINAL_PRIVATE = "criminal_private"
    ENFORCEMENT = "enforcement"


class Document(Payload):
    name: str = Field(min_length=1, max_length=200)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class MaskedParty(Payload):
    role: Literal["plaintiff", "defendant"]
    kind: Literal["person", "organisation"]
    name: str  # masked for persons (张*), in full for organisations
    identifier: str  # masked ID number for persons; the public credit code for organisations


class Submitted(Payload):
    filing_id: str
    version: int  # the owner's change counter: read models keep the highest
    receiving_region: str
    court_region: str
    case_type: CaseType
    parties: list[MaskedParty]
    claim_summary: str
    claim_amount: Decimal | None = None
    documents: list[Document]
    submitted_at: datetime
    filed_by: str
    # Keyed hashes (HMAC, the zone's ID hash key) of the persons' ID numbers: a filing is found by a party's
    # ID number in every region without the number leaving the receiving window.
    party_hashes: list[str] = Field(default_factory=list)


class Received(Payload):
    filing_id: str
    version: int  # the owner's change counter: read models keep the highest
    received_at: datetime
    decision_due: datetime


class Accepted(Payload):
    filing_id: str
    version: int  # the owner's change counter: read models keep the highest
    docket_number: str
    accepted_at: datetime


class Rejected(Payload):
    filing_id: str
    version: int  # the owner's change counter: read models keep the highest
    reason: str
    rejected_at: datetime


class CorrectionRequested(Payload):
    filing_id: str
    version: int  # the owner's change counter: read models keep the highest
    missing_items: list[str]
    deadline: date
    requested_at: datetime


class ResubmissionRequested(Payload):
    filing_id: str
    documents: list[Document]
    requested_at: datetime


class Resubmitted(Payload):
    filing_id: str
    version: int  # the owner's change counter: read models keep the highest
    documents: list[Document]
    resubmitted_at: datetime
    decision_due: datetime


class WithdrawalRequested(Payload):
    filing_id: str
    reason: str
    requested_at: datetime


class Withdrawn(Payload):
    filing_id: str
    version: int  # the owner's change counter: read models keep the highest
    reason: str
    withdrawn_at: datetime


class WithdrawalRefused(Payload):
    filing_id: str
    status: str
    refused_at: datetime


class DecisionOverdue(Payload):
    filing_id: str
    decision_due: datetime
    detected_at: datetime


class CorrectionLapsed(Payload):
    """The correction's deadline passed without a resubmission: the court may now reject the filing."""

    filing_id: str
    deadline: date
    detected_at: datetime


SUBMITTED = declare(Domain.FILING, "submitted", Submitted)
RECEIVED = declare(Domain.FILING, "received", Received)
ACCEPTED = declare(Domain.FILING, "accepted", Accepted)
REJECTED = declare(Domain.FILING, "rejected", Rejected)
CORRECTION_REQUESTED = declare(Domain.FILING, "correction-requested", CorrectionRequested)
RESUBMISSION_REQUESTED = declare(Domain.FILING, "resubmission-requested", ResubmissionRequested)
RESUBMITTED = declare(Domain.FILING, "resubmitted", Resubmitted)
WITHDRAWAL_REQUESTED = declare(Domain.FILING, "withdrawal-requested", WithdrawalRequested)
WITHDRAWN = declare(Domain.FILING, "withdrawn", Withdrawn)
WITHDRAWAL_REFUSED = declare(Domain.FILING, "withdrawal-refused", WithdrawalRefused)
DECISION_OVERDUE = declare(Domain.FILING, "decision-overdue", DecisionOverdue)
CORRECTION_LAPSED = declare(Domain.FILING, "correction-lapsed", CorrectionLapsed)
