"""The notary tables' rows as the store hands them back (types only: a row stays a dict). Columns not
NOT NULL may be empty: a later event can make a stub row before the one that fills it in arrives."""

from __future__ import annotations

from typing import TypedDict


class CertificateRow(TypedDict):
    """A row of certificates: a certificate in the zone's registry (applicant masked), keyed by its number
    in `id`; `status` as it stands now (the store reads a lapsed `valid` as `expired`)."""

    id: str
    issuer_region: str | None
    office: str | None
    matter: str | None
    applicant_name: str | None
    applicant_id: str | None
    document_sha256: str | None
    valid_until: str | None
    issued_at: str | None
    status: str
    version: int
    revoked_at: str | None
    reason: str | None
    replaces: str | None
    superseded_by: str | None
    superseded_at: str | None


class CertificateApplicantRow(TypedDict):
    """A row of certificate_applicants: a certificate's applicant in full, held by the issuing office."""

    number: str
    name: str
    id_number: str


class VerificationRow(TypedDict):
    """A row of verifications: a region's check of a certificate against its registry."""

    id: str
    number: str
    verifier_region: str
    issuer_region: str | None  # unknown when the number is not in the registry
    result: str
    verified_at: str


class VerificationSeenRow(VerificationRow):
    """A row of the verifications_seen view: a verification with its certificate's revocation, if any."""

    certificate_revoked_at: str | None


class ProofRequestRow(TypedDict):
    """A row of proof_requests: one office's request for a proof another region holds, and its answer."""

    id: str
    requesting_region: str | None
    holding_region: str | None
    proof_type: str | None
    subject_name: str | None  # masked
    subject_id: str | None  # masked
    purpose: str | None
    application_ref: str | None
    requested_at: str | None
    due_at: str | None
    status: str
    document_sha256: str | None
    summary: str | None
    reason: str | None
    answered_at: str | None
    overdue_flagged: bool
    agency: str | None
    holding_agency: str | None
    document_name: str | None


class ProofSubjectRow(TypedDict):
    """A row of proof_subjects: a proof request's subject in full, held by the requesting office."""

    request_id: str
    name: str
    id_number: str


class ProofDocumentRow(TypedDict):
    """A row of proof_documents: the document given with an answer, held by the answering office."""

    request_id: str
    name: str
    content_type: str
    content: bytes
