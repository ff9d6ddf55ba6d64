"""Bootstrap: the one place the filing service's real dependencies are wired."""

from __future__ import annotations

from fastapi import FastAPI

from services.filing import api, handlers, metrics, service
from services.filing import store as db
from shared import audit_api
from shared.runtime import build_runtime
from shared.settings import Settings
from shared.topics import Domain
from shared.web import create_app


def build(settings: Settings) -> FastAPI:
    runtime = build_runtime(settings, Domain.FILING, db.MIGRATIONS, handlers.handle)
    runtime.scanners.append(service.scan_overdue)
    runtime.gauges.append(lambda: metrics.refresh(runtime))

    return create_app(runtime, f"YRD filing · {settings.region.value}", [api.router, audit_api.router])
