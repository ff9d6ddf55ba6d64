"""The zone's services: the one place that names them. Adding a service is its package (with its
declaration) and one line here; everything else — serving, the launcher, rebuilds, the command-line
tools, the documents and the client generated from them — reads this table."""

from __future__ import annotations

from typing import Any

from services.alerts.declaration import SERVICE as ALERTS
from services.corrections.declaration import SERVICE as CORRECTIONS
from services.enforcement.declaration import SERVICE as ENFORCEMENT
from services.filing.declaration import SERVICE as FILING
from services.notary.declaration import SERVICE as NOTARY
from services.procuratorate.declaration import SERVICE as PROCURATORATE
from shared.contracts.regions import Domain
from shared.core.settings import Settings
from shared.entrypoints.service import Instance, Service

SERVICES: dict[Domain, Service[Any]] = {
    service.domain: service for service in (FILING, ALERTS, CORRECTIONS, NOTARY, ENFORCEMENT, PROCURATORATE)
}


def declared(domain: Domain) -> Service[Any]:
    try:
        return SERVICES[domain]
    except KeyError:
        raise ValueError(f"{domain.value} is no service of this zone ({', '.join(SERVICES)})") from None


def open_instance(settings: Settings) -> Instance[Any]:
    """An instance of `settings.service` for a tool (a rebuild, a replay, a purge): wired, not served."""
    return declared(settings.service).instance(settings)
