"""HTTP request bodies of the notary API."""

from __future__ import annotations

import base64
import hashlib
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, model_validator

from services.notary.domain import CertificateStatus, ProofStatus
from shared.contracts.commands import Body, documented_as
from shared.contracts.fields import Instant, Sha256
from shared.contracts.notary import Matter, ProofType, VerificationResult
from shared.contracts.pagination import PageQuery
from shared.contracts.problems import FieldError
from shared.contracts.regions import Region


class Revoke(Body):
    reason: str = Field(min_length=1, max_length=2000)


class Reissue(Body):
    """A corrected certificate under a new number, for the same applicant; what is not given is kept."""

    reason: str = Field(min_length=1, max_length=2000)
    document_sha256: Sha256 | None = None
    matter: Matter | None = None
    valid_until: Instant | None = None


class Verify(Body):
    certificate_number: str = Field(min_length=5, max_length=60)
    document_sha256: Sha256


# Standard base64, padded (what `base64.b64decode(..., validate=True)` takes); declared, checked by the validator.
BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class ProofDocumentIn(Body):
    """The document itself (≤ 512 KB), base64: it stays with the answering office."""

    name: str = Field(min_length=1, max_length=200)
    content_type: str = Field(pattern=r"^[a-z]+/[a-z0-9.+-]+$", max_length=100)
    content_base64: str = Field(min_length=4, max_length=700_000, json_schema_extra={"pattern": BASE64_PATTERN})

    @cached_property
    def content(self) -> bytes:
        """Decoded once: when the answer is checked, and again for nothing when it is stored."""
        return base64.b64decode(self.content_base64, validate=True)


class ProofProvided(Body):
    """The proof exists: the document's SHA-256 and a summary, and the document itself if it is sent along
    (its SHA-256 must be `document_sha256`)."""

    outcome: Literal["provided"]
    document_sha256: Sha256
    summary: str = Field(min_length=1, max_length=2000)
    reason: str | None = Field(default=None, min_length=1, max_length=2000)
    document: ProofDocumentIn | None = None


class ProofNotFound(Body):
    """The holding office has no such record."""

    outcome: Literal["not_found"]
    document_sha256: Sha256 | None = None
    summary: str | None = Field(default=None, min_length=1, max_length=2000)
    reason: str | None = Field(default=None, min_length=1, max_length=2000)
    document: None = None


class ProofRefused(Body):
    """The holding office will not give it: a refusal states its reason."""

    outcome: Literal["refused"]
    reason: str = Field(min_length=1, max_length=2000)
    document_sha256: Sha256 | None = None
    summary: str | None = Field(default=None, min_length=1, max_length=2000)
    document: None = None


class AnswerProof(Body):
    """The holding region's answer: provided, not found, or refused."""

    outcome: Literal["provided", "not_found", "refused"]
    document_sha256: Sha256 | None = None
    summary: str | None = Field(default=None, min_length=1, max_length=2000)
    reason: str | None = Field(default=None, min_length=1, max_length=2000)
    document: ProofDocumentIn | None = None  # a provided proof may carry the document; its hash must match

    __get_pydantic_json_schema__ = documented_as(
        Annotated[ProofProvided | ProofNotFound | ProofRefused, Field(discriminator="outcome")]
    )

    @model_validator(mode="after")
    def complete(self) -> AnswerProof:
        if self.outcome == "provided" and (self.document_sha256 is None or self.summary is None):
            raise FieldError(
                "summary" if self.document_sha256 else "document_sha256",
                "a provided proof states its document_sha256 and summary",
            )
        if self.outcome == "refused" and self.reason is None:
            raise FieldError("reason", "a refusal states its reason")
        if self.document is not None:
            try:
                content = self.document.content
            except ValueError:
                raise FieldError("document", "content_base64 is not base64") from None
            if self.outcome != "provided" or hashlib.sha256(content).hexdigest() != self.document_sha256:
                raise FieldError(
                    "document", "a document goes with a provided proof, and its SHA-256 is document_sha256"
                )
        return self


class CertificateQuery(PageQuery):
    """`GET /v1/certificates` filters."""

    issuer_region: Region | None = None
    matter: Matter | None = None
    status: CertificateStatus | None = None
    issued_from: Instant | None = None
    issued_to: Instant | None = None


class VerificationQuery(PageQuery):
    """`GET /v1/verifications` filters."""

    certificate_number: str | None = None
    verifier_region: Region | None = None
    issuer_region: Region | None = None
    result: VerificationResult | None = None
    # Verifications made before their certificate was revoked, the revocation at or after this instant.
    revoked_since: Instant | None = None


class ProofQuery(PageQuery):
    """`GET /v1/proof-requests` filters."""

    requesting_region: Region | None = None
    holding_region: Region | None = None
    proof_type: ProofType | None = None
    status: ProofStatus | None = None
