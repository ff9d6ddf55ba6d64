"""The notary service, declared: what the platform needs to run an instance of it (shared/entrypoints/service.py)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.notary import api, metrics, service, store
from services.notary.domain import PROOF_ANSWER_SECONDS
from services.notary.projection import PROJECTION
from services.notary.reactions import REACTIONS
from services.notary.rows import (
    CertificateApplicantRow,
    CertificateRow,
    ProofDocumentRow,
    ProofRequestRow,
    ProofSubjectRow,
    VerificationRow,
)
from shared.contracts.regions import Domain
from shared.core.settings import Settings
from shared.entrypoints.service import Service


class NotarySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YRD_NOTARY_", extra="ignore")

    proof_answer_seconds: int = PROOF_ANSWER_SECONDS  # a proof request unanswered this long is flagged overdue


def configure(settings: Settings, own: NotarySettings) -> int:
    return own.proof_answer_seconds


SERVICE = Service(
    domain=Domain.NOTARY,
    settings=NotarySettings,
    configure=configure,
    migrations=store.MIGRATIONS,
    projection=PROJECTION,
    reactions=lambda proof_answer_seconds: REACTIONS,
    creates=api.creates,
    # Verification says how fresh the registry is: whether the consumer has caught up with the other regions.
    routers=lambda instance: [api.make_router(instance.runtime.consumer.caught_up.is_set)],
    scanners=lambda proof_answer_seconds: [service.scan_overdue],
    gauges=metrics.refresh,
    restore=store.restore_sequences,
    rows={
        "certificates": CertificateRow,
        "certificate_applicants": CertificateApplicantRow,
        "verifications": VerificationRow,
        "proof_requests": ProofRequestRow,
        "proof_subjects": ProofSubjectRow,
        "proof_documents": ProofDocumentRow,
    },
    tag="notary",
)
