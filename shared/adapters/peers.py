"""Point-to-point reads of sensitive detail from the owning region's instance (httpx, with timeouts and
retries). The caller's own token and purpose travel along: the owner authorises and audits the read."""

from __future__ import annotations

from typing import Any

import httpx

from shared.contracts.problems import Problem
from shared.contracts.regions import Region
from shared.core.settings import Settings


class Peers:
    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.client = httpx.Client(
            timeout=httpx.Timeout(5.0, connect=2.0),
            transport=transport or httpx.HTTPTransport(retries=2),
        )

    def get(self, region: Region, path: str, authorization: str, purpose: str | None, correlation_id: str) -> Any:
        headers = {"authorization": authorization, "x-correlation-id": correlation_id}
        if purpose:
            headers["x-purpose"] = purpose
        try:
            response = self.client.get(self.settings.peer_url(region) + path, headers=headers)
        except httpx.HTTPError:
            raise Problem(
                502,
                "owner-unreachable",
                "Owning region unreachable",
                f"the {region.value} instance did not answer; try again later",
            ) from None
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {}
            raise Problem(
                response.status_code,
                "owner-refused",
                body.get("title", "Refused by the owning region"),
                body.get("detail"),
                owner_region=region.value,
            )
        return response.json()

    def close(self) -> None:
        self.client.close()
