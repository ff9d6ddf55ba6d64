"""Bootstrap: the one place the notary service's real dependencies are wired."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.notary import api, metrics, service
from services.notary import store as db
from services.notary.domain import PROOF_ANSWER_SECONDS
from services.notary.projection import PROJECTION
from services.notary.reactions import REACTIONS
from shared.contracts.regions import Domain
from shared.core.route import EventRoute
from shared.core.settings import Settings
from shared.entrypoints import audit_api
from shared.entrypoints.commands import attach_commands
from shared.entrypoints.runtime import build_runtime
from shared.entrypoints.web import create_app


class NotarySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YRD_NOTARY_", extra="ignore")

    proof_answer_seconds: int = PROOF_ANSWER_SECONDS  # YRD_NOTARY_PROOF_ANSWER_SECONDS


def build(settings: Settings) -> FastAPI:
    runtime = build_runtime(settings, Domain.NOTARY, db.MIGRATIONS, EventRoute(PROJECTION, REACTIONS))
    runtime.scanners.append(service.scan_overdue)
    runtime.gauges.append(lambda: metrics.refresh(runtime))
    proof_answer_seconds = NotarySettings().proof_answer_seconds
    attach_commands(runtime, api.handlers(proof_answer_seconds))
    router = api.make_router(runtime.consumer.caught_up.is_set, proof_answer_seconds)

    return create_app(runtime, f"YRD notary · {settings.region.value}", [router, audit_api.router])
