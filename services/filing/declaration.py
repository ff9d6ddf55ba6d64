"""The filing service, declared: what the platform needs to run an instance of it (shared/entrypoints/service.py)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.filing import api, metrics, service, store
from services.filing.domain import DECISION_SECONDS
from services.filing.projection import PROJECTION
from services.filing.reactions import reactions
from services.filing.rows import FilingPartyRow, FilingRow
from shared.adapters.tokens import load_id_hash_key
from shared.contracts.regions import Domain
from shared.core.settings import Settings
from shared.entrypoints.service import Service


class FilingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YRD_FILING_", extra="ignore")

    decision_seconds: int = DECISION_SECONDS  # the 7-day rule: a court decides within this many seconds of receipt


def configure(settings: Settings, own: FilingSettings) -> service.Config:
    return service.Config(own.decision_seconds, load_id_hash_key(settings.resolved_id_hash_key_file))


SERVICE = Service(
    domain=Domain.FILING,
    settings=FilingSettings,
    configure=configure,
    migrations=store.MIGRATIONS,
    projection=PROJECTION,
    reactions=lambda config: reactions(config.decision_seconds),
    creates=api.creates,
    routers=lambda instance: [api.make_router(instance.config)],
    public_routers=lambda config: [api.public_router(config)],
    scanners=lambda config: [service.scan_overdue, service.scan_lapsed_corrections],
    gauges=metrics.refresh,
    restore=store.restore_sequences,
    rows={"filings": FilingRow, "filing_parties": FilingPartyRow},
    tag="filings",
)
