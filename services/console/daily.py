"""A day's volumes as the stores count them (`GET /v1/daily` of each service): exact, and for any past day,
where Prometheus's `increase()` only estimates, and only within its retention. Each region's store holds
every region's records, so the viewer's own region's instances answer for the whole zone (an instance
serves its own region's tokens only)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx

from services.console.figures import VOLUMES
from shared.contracts import alerts
from shared.contracts.regions import SERVICES, Domain, Region, port_of


async def _counts(client: httpx.AsyncClient, url: str, token: str, day: date) -> dict[str, dict[str, int]] | None:
    try:
        answer = await client.get(url, params={"date": day.isoformat()}, headers={"authorization": f"Bearer {token}"})
    except httpx.HTTPError:
        return None
    return answer.json()["counts"] if answer.status_code == 200 else None


async def exact_volumes(
    client: httpx.AsyncClient, port_base: int, region: Region, token: str, day: date
) -> tuple[dict[str, dict[str, int]], dict[str, int], list[str]]:
    """(volumes by region as the page shows them, escalations by the region that raised the alert, the
    services whose instance did not answer)."""
    services = [s for s in SERVICES if s in {t.domain for t in VOLUMES.values()}]
    urls = [f"http://127.0.0.1:{port_of(region, service, port_base)}/v1/daily" for service in services]
    answers = await asyncio.gather(*(_counts(client, url, token, day) for url in urls))
    by_domain: dict[Domain, dict[str, dict[str, int]]] = {}
    missing = []
    for service, counts in zip(services, answers, strict=True):
        if counts is None:
            missing.append(service.value)
        else:
            by_domain[service] = counts
    volumes = {
        r.value: {name: by_domain.get(t.domain, {}).get(r.value, {}).get(t.name, 0) for name, t in VOLUMES.items()}
        for r in Region
    }
    escalated = {
        r.value: by_domain.get(Domain.ALERTS, {}).get(r.value, {}).get(alerts.ESCALATED.name, 0) for r in Region
    }
    return volumes, escalated, missing


def with_exact_volumes(figures: dict[str, Any], exact: tuple[dict, dict, list[str]]) -> dict[str, Any]:
    """The page's figures with the day's volumes (and missed acknowledgements) from the stores."""
    volumes, escalated, missing = exact
    figures["volumes"] = volumes
    for region, n in escalated.items():
        figures["sla"][region]["acks_missed_today"] = n
    figures["volumes_from"] = "stores"
    figures["volumes_missing"] = missing
    return figures
