"""Notary linkage events (on `{region}.notary`).

The issuing region owns a certificate (issued, revoked; versioned). A verifying region reports each
verification on its own topic, so the issuer sees where its certificates are relied on. A proof request
is owned by the requesting office; the holding region answers on its own topic. Applicants and proof
subjects appear masked only: the full ID number is read point to point from the owner, with a purpose.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from shared.contracts.base import Payload, declare
from shared.contracts.regions import Domain


class Matter(StrEnum):
    BIRTH = "birth"
    KINSHIP = "kinship"
    MARITAL_STATUS = "marital_status"
    NO_CRIMINAL_RECORD = "no_criminal_record"
    EDUCATION = "education"
    POWER_OF_ATTORNEY = "power_of_attorney"
    CONTRACT = "contract"
    PROPERTY = "property"
    DECLARATION = "declaration"


class ProofType(StrEnum):
    HOUSEHOLD_REGISTRATION = "household_registration"
    KINSHIP = "kinship"
    MARITAL_STATUS = "marital_status"
    NO_CRIMINAL_RECORD = "no_criminal_record"
    EDUCATION = "education"
    PROPERTY = "property"


class VerificationResult(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    HASH_MISMATCH = "hash_mismatch"
    UNKNOWN = "unknown"
    SUPERSEDED = "superseded"  # reissued under a new number (the answer names it)


class CertificateIssued(Payload):
    number: str
    version: int
    office: str
    matter: Matter
    applicant_name: str  # masked
    applicant_id: str  # masked
    document_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    valid_until: datetime | None
    issued_at: datetime
    replaces: str | None = None  # the number this one reissues or corrects


class CertificateRevoked(Payload):
    number: str
    version: int
    reason: str
    revoked_at: datetime


class CertificateSuperseded(Payload):
    """Reissued or corrected under a new number: the old one verifies as superseded, naming its successor."""

    number: str
    version: int
    successor: str
    reason: str
    superseded_at: datetime


class CertificateVerified(Payload):
    verification_id: str
    number: str
    issuer_region: str | None
    result: VerificationResult
    verified_at: datetime


class ProofRequested(Payload):
    request_id: str
    holding_region: str
    proof_type: ProofType
    subject_name: str  # masked
    subject_id: str  # masked
    purpose: str
    application_ref: str
    requested_at: datetime
    due_at: datetime
    holding_agency: str | None = None  # the agency asked to answer (its agency system may), if named


class ProofAnswered(Payload):
    request_id: str
    outcome: Literal["provided", "not_found", "refused"]
    document_sha256: str | None = None
    summary: str | None = None
    reason: str | None = None
    answered_at: datetime
    # The answer came with the document itself: its bytes stay with the answering office and are fetched
    # point to point by the requesting office (the hash above proves them).
    document_name: str | None = None


class ProofOverdue(Payload):
    request_id: str
    due_at: datetime
    detected_at: datetime


CERTIFICATE_ISSUED = declare(Domain.NOTARY, "certificate-issued", CertificateIssued)
CERTIFICATE_REVOKED = declare(Domain.NOTARY, "certificate-revoked", CertificateRevoked)
CERTIFICATE_SUPERSEDED = declare(Domain.NOTARY, "certificate-superseded", CertificateSuperseded)
CERTIFICATE_VERIFIED = declare(Domain.NOTARY, "certificate-verified", CertificateVerified)
PROOF_REQUESTED = declare(Domain.NOTARY, "proof-requested", ProofRequested)
PROOF_ANSWERED = declare(Domain.NOTARY, "proof-answered", ProofAnswered)
PROOF_OVERDUE = declare(Domain.NOTARY, "proof-overdue", ProofOverdue)
