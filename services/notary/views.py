"""What the notary routes answer (response models; the routes send stored JSON as it is)."""

from __future__ import annotations

from datetime import datetime

from services.notary.domain import CertificateStatus, ProofStatus
from shared.contracts.notary import Matter, ProofType, VerificationResult
from shared.contracts.views import Page, TimelineEntry, View


class Certificate(View):
    """A certificate in the zone's registry (applicant masked), keyed by its number."""

    number: str
    issuer_region: str
    office: str
    matter: Matter
    applicant_name: str
    applicant_id: str
    document_sha256: str
    valid_until: datetime | None
    issued_at: datetime
    status: CertificateStatus
    version: int
    revoked_at: datetime | None
    reason: str | None  # why it was revoked or superseded
    replaces: str | None  # the number this one reissued or corrected
    superseded_by: str | None  # its successor, once reissued or corrected
    superseded_at: datetime | None


class CertificateApplicant(View):
    """A certificate's applicant in full: held by the issuing office, read by it alone (purpose, audited)."""

    number: str
    issuer_region: str
    name: str
    id_number: str


class Verification(View):
    id: str
    number: str
    verifier_region: str
    issuer_region: str | None  # unknown when the number is not in the registry
    result: VerificationResult
    verified_at: datetime
    certificate_revoked_at: datetime | None  # the certificate's revocation, whenever it came (this view is live)


class CertificateView(Certificate):
    verifications: list[Verification]
    timeline: list[TimelineEntry]


class RegistryFreshness(View):
    issuer_region: str | None
    consumer_caught_up: bool  # this region has read every region's events up to now
    last_event_from_issuer_at: datetime | None


class VerifyResult(View):
    verification_id: str
    certificate_number: str
    result: VerificationResult
    verified_at: datetime
    successor: str | None  # when superseded: the number to present instead
    registry: RegistryFreshness


class ProofRequest(View):
    id: str
    requesting_region: str
    holding_region: str
    proof_type: ProofType
    subject_name: str  # masked; the requesting office holds the full identity
    subject_id: str
    purpose: str
    application_ref: str
    requested_at: datetime
    due_at: datetime
    status: ProofStatus
    document_sha256: str | None
    document_name: str | None  # the answer came with the document (GET .../document fetches it)
    summary: str | None
    reason: str | None
    answered_at: datetime | None
    overdue_flagged: bool
    agency: str | None
    holding_agency: str | None


class ProofRequestView(ProofRequest):
    timeline: list[TimelineEntry]


class ProofDocument(View):
    """A document given with a proof's answer, held by the answering office (purpose required, audited)."""

    request_id: str
    name: str
    content_type: str
    sha256: str  # as the answer stated it: the bytes must hash to it
    content_base64: str


class ProofSubject(View):
    """The subject's full identity, held by the requesting office (sensitive: purpose required, audited)."""

    request_id: str
    name: str
    id_number: str


CertificatePage = Page[Certificate]
VerificationPage = Page[Verification]
ProofRequestPage = Page[ProofRequest]
