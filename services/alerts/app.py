"""Bootstrap: the one place the alerts service's real dependencies are wired."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.alerts import api, metrics, service
from services.alerts import store as db
from services.alerts.domain import DEFAULT_ACK_SECONDS
from services.alerts.projection import PROJECTION
from services.alerts.reactions import REACTIONS
from shared.contracts.alerts import Severity
from shared.contracts.regions import Domain
from shared.core.route import EventRoute
from shared.core.settings import Settings
from shared.entrypoints import audit_api
from shared.entrypoints.commands import attach_commands
from shared.entrypoints.runtime import build_runtime
from shared.entrypoints.web import create_app


class AckDeadlines(BaseSettings):
    """Acknowledgement deadlines by severity, in seconds (YRD_ALERTS_ACK_I_SECONDS=120 ...)."""

    model_config = SettingsConfigDict(env_prefix="YRD_ALERTS_", extra="ignore")

    ack_i_seconds: int = DEFAULT_ACK_SECONDS[Severity.I]
    ack_ii_seconds: int = DEFAULT_ACK_SECONDS[Severity.II]
    ack_iii_seconds: int = DEFAULT_ACK_SECONDS[Severity.III]
    ack_iv_seconds: int = DEFAULT_ACK_SECONDS[Severity.IV]

    def by_severity(self) -> dict[Severity, int]:
        return {
            Severity.I: self.ack_i_seconds,
            Severity.II: self.ack_ii_seconds,
            Severity.III: self.ack_iii_seconds,
            Severity.IV: self.ack_iv_seconds,
        }


def build(settings: Settings) -> FastAPI:
    runtime = build_runtime(settings, Domain.ALERTS, db.MIGRATIONS, EventRoute(PROJECTION, REACTIONS))
    runtime.scanners.append(service.scan)
    runtime.gauges.append(lambda: metrics.refresh(runtime))
    metrics.start_counting(settings.region)
    deadlines = AckDeadlines().by_severity()
    attach_commands(runtime, api.handlers(deadlines))
    router = api.make_router(deadlines)

    return create_app(runtime, f"YRD alerts · {settings.region.value}", [router, api.requests_router, audit_api.router])
