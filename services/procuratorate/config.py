"""The service's own settings (`YRD_PROCURATORATE_*`) and what an instance is configured with: its
region's signing key for receipts and exports, and its deadlines."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.procuratorate.domain import RECEIPT_SECONDS, REFERRAL_DECISION_SECONDS
from shared.adapters.signing import EventSigner
from shared.core.settings import Settings


class ProcuratorateSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YRD_PROCURATORATE_", extra="ignore")

    referral_decision_seconds: int = Field(
        REFERRAL_DECISION_SECONDS, description="A referral undecided this long after it was sent is flagged (once)."
    )
    receipt_seconds: int = Field(
        RECEIPT_SECONDS,
        description="A delivery without its relayed or delivered receipt this long after submission is flagged.",
    )


@dataclass(frozen=True)
class Config:
    signer: EventSigner  # the region's event key: receipts are signed as its events are
    referral_decision_seconds: int
    receipt_seconds: int


def configure(settings: Settings, own: ProcuratorateSettings) -> Config:
    signer = EventSigner.load(settings.resolved_event_key_file, settings.region)
    return Config(signer, own.referral_decision_seconds, own.receipt_seconds)
