"""Bootstrap: the one place the corrections service's real dependencies are wired."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.corrections import api, domain, metrics, retention, service
from services.corrections import store as db
from services.corrections.projection import PROJECTION
from services.corrections.reactions import reactions
from shared.adapters.tokens import load_id_hash_key
from shared.contracts.regions import Domain
from shared.core.route import EventRoute
from shared.core.settings import Settings
from shared.core.uow import UnitOfWork
from shared.entrypoints import audit_api
from shared.entrypoints.commands import attach_commands
from shared.entrypoints.runtime import build_runtime
from shared.entrypoints.web import create_app


class CorrectionsSettings(BaseSettings):
    """Report-in windows (YRD_CORRECTIONS_ENROL_REPORT_IN_SECONDS, ..._TRANSFER_REPORT_IN_SECONDS)."""

    model_config = SettingsConfigDict(env_prefix="YRD_CORRECTIONS_", extra="ignore")

    enrol_report_in_seconds: int = domain.ENROL_REPORT_IN_SECONDS
    transfer_report_in_seconds: int = domain.TRANSFER_REPORT_IN_SECONDS
    retention_days: int = domain.RETENTION_DAYS  # YRD_CORRECTIONS_RETENTION_DAYS: the record, after release


def build(settings: Settings) -> FastAPI:
    windows = CorrectionsSettings()
    config = service.Config(
        load_id_hash_key(settings.resolved_id_hash_key_file),
        windows.enrol_report_in_seconds,
        windows.transfer_report_in_seconds,
        windows.retention_days,
    )
    runtime = build_runtime(
        settings,
        Domain.CORRECTIONS,
        db.MIGRATIONS,
        EventRoute(PROJECTION, reactions(config.transfer_report_in_seconds)),
    )

    def scan_retention(uow: UnitOfWork) -> None:
        retention.purge_due(uow, datetime.now(UTC), config.retention_days)

    runtime.scanners += [service.scan, scan_retention]
    runtime.gauges.append(lambda: metrics.refresh(runtime))

    attach_commands(runtime, api.handlers(config))
    routers = [api.make_router(config), api.movements_router, audit_api.router]
    return create_app(runtime, f"YRD corrections · {settings.region.value}", routers)
