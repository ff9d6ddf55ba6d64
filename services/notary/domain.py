"""Notary rules, pure: certificate numbers, verification outcomes, proof-request deadlines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.contracts.notary import VerificationResult
from shared.contracts.regions import REGIONS, Region

PROOF_ANSWER_SECONDS = 3 * 24 * 3600  # three days, unless configured
CERTIFICATE_NUMBER = re.compile(r"^\((?P<year>\d{4})\)(?P<office>.+?)证字第(?P<seq>\d+)号$")


def certificate_number(year: int, region: Region, sequence: int) -> str:
    """`(2026)浙嘉善证字第123号`: year, office abbreviation, sequence per office per year."""
    if sequence < 1:
        raise ValueError("certificate sequences start at 1")
    return f"({year}){REGIONS[region].notary_office_abbr}证字第{sequence}号"


def issuer_of(number: str) -> Region | None:
    """Which region's office issued a number, if it is one of ours."""
    match = CERTIFICATE_NUMBER.match(number.strip())
    if not match:
        return None
    return next((r for r, info in REGIONS.items() if info.notary_office_abbr == match["office"]), None)


@dataclass(frozen=True)
class RegistryEntry:
    status: str  # "valid", "revoked" or "superseded"
    document_sha256: str
    valid_until: datetime | None


def verify(entry: RegistryEntry | None, document_sha256: str, now: datetime) -> VerificationResult:
    """What the certificate says of this document. The certificate's own state (revoked, expired) is
    stated before the document comparison: it holds whichever document is presented."""
    if entry is None:
        return VerificationResult.UNKNOWN
    if entry.status == "revoked":
        return VerificationResult.REVOKED
    if entry.status == "superseded":
        return VerificationResult.SUPERSEDED
    if entry.valid_until is not None and now >= entry.valid_until:
        return VerificationResult.EXPIRED
    if entry.document_sha256 != document_sha256.lower():
        return VerificationResult.HASH_MISMATCH
    return VerificationResult.VALID


class CertificateStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


class ProofStatus(StrEnum):
    REQUESTED = "requested"
    PROVIDED = "provided"
    NOT_FOUND = "not_found"
    REFUSED = "refused"


def certificate_status(stored: str, valid_until: datetime | None, now: datetime) -> CertificateStatus:
    """One status everywhere: a valid certificate past its validity reads `expired`, as verification says."""
    if stored in (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED):
        return CertificateStatus(stored)
    if valid_until is not None and now >= valid_until:
        return CertificateStatus.EXPIRED
    return CertificateStatus.VALID


def check_issuable(valid_until: datetime | None, now: datetime) -> None:
    if valid_until is not None and valid_until <= now:
        raise ValueError("valid_until must be in the future")


def proof_due(requested_at: datetime, seconds: int = PROOF_ANSWER_SECONDS) -> datetime:
    return requested_at + timedelta(seconds=seconds)


def proof_overdue(status: str, due_at: datetime, now: datetime) -> bool:
    return status == "requested" and now > due_at
