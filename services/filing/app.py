"""Bootstrap: the one place the filing service's real dependencies are wired."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.filing import api, metrics, service
from services.filing import store as db
from services.filing.domain import DECISION_SECONDS
from services.filing.projection import PROJECTION
from services.filing.reactions import reactions
from shared.adapters.tokens import load_id_hash_key
from shared.contracts.regions import Domain
from shared.core.route import EventRoute
from shared.core.settings import Settings
from shared.entrypoints import audit_api
from shared.entrypoints.commands import attach_commands
from shared.entrypoints.runtime import build_runtime
from shared.entrypoints.web import create_app


class FilingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YRD_FILING_", extra="ignore")

    decision_seconds: int = DECISION_SECONDS  # YRD_FILING_DECISION_SECONDS: the 7-day rule


def build(settings: Settings) -> FastAPI:
    config = service.Config(FilingSettings().decision_seconds, load_id_hash_key(settings.resolved_id_hash_key_file))
    route = EventRoute(PROJECTION, reactions(config.decision_seconds))
    runtime = build_runtime(settings, Domain.FILING, db.MIGRATIONS, route)
    runtime.scanners += [service.scan_overdue, service.scan_lapsed_corrections]
    runtime.gauges.append(lambda: metrics.refresh(runtime))
    attach_commands(runtime, api.handlers(config))

    return create_app(
        runtime,
        f"YRD filing · {settings.region.value}",
        [api.make_router(config), audit_api.router],
        public_routers=[api.public_router(config)],
    )
