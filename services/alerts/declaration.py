"""The alerts service, declared: what the platform needs to run an instance of it (shared/entrypoints/service.py)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.alerts import api, metrics, service, store
from services.alerts.domain import DEFAULT_ACK_SECONDS
from services.alerts.projection import PROJECTION
from services.alerts.reactions import REACTIONS
from services.alerts.rows import AlertAckRow, AlertRow, ReinforcementRow, SightingRow
from shared.contracts.alerts import Severity
from shared.contracts.regions import Domain
from shared.core.settings import Settings
from shared.entrypoints.service import Service


class AckDeadlines(BaseSettings):
    """Acknowledgement deadlines by severity, in seconds."""

    model_config = SettingsConfigDict(env_prefix="YRD_ALERTS_", extra="ignore")

    ack_i_seconds: int = DEFAULT_ACK_SECONDS[Severity.I]  # a severity I alert's targets acknowledge within this
    ack_ii_seconds: int = DEFAULT_ACK_SECONDS[Severity.II]  # ... severity II
    ack_iii_seconds: int = DEFAULT_ACK_SECONDS[Severity.III]  # ... severity III
    ack_iv_seconds: int = DEFAULT_ACK_SECONDS[Severity.IV]  # ... severity IV


def configure(settings: Settings, own: AckDeadlines) -> dict[Severity, int]:
    metrics.start_counting(settings.region)
    return {
        Severity.I: own.ack_i_seconds,
        Severity.II: own.ack_ii_seconds,
        Severity.III: own.ack_iii_seconds,
        Severity.IV: own.ack_iv_seconds,
    }


SERVICE = Service(
    domain=Domain.ALERTS,
    settings=AckDeadlines,
    configure=configure,
    migrations=store.MIGRATIONS,
    projection=PROJECTION,
    reactions=lambda deadlines: REACTIONS,
    creates=api.creates,
    routers=lambda instance: [api.make_router(), api.requests_router],
    scanners=lambda deadlines: [service.scan],
    gauges=metrics.refresh,
    rows={
        "alerts": AlertRow,
        "alert_acks": AlertAckRow,
        "sightings": SightingRow,
        "reinforcements": ReinforcementRow,
    },
)
