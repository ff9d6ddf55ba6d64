"""Point-to-point reads of sensitive detail from the owning region's instance (httpx, with timeouts and
retries). The caller's own token and purpose travel along: the owner authorises and audits the read.

The read goes over mutual TLS to the owner's peer listener: this instance presents its certificate (the
owner matches its region to the token's) and accepts the answer only from the instance it meant to reach
(the same service of the owning region, by the certificate the zone's CA gave it)."""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from shared.adapters.tls import InstanceTLS, PeerIdentity, identity_of
from shared.contracts.problems import Problem
from shared.contracts.regions import Domain, Region


class PeerSettings(Protocol):
    """What the peer client needs of an instance's settings (shared.core.settings.Settings has it)."""

    peer_tls: bool
    service: Domain

    @property
    def instance_tls(self) -> InstanceTLS: ...

    def peer_url(self, region: Region) -> str: ...


class Peers:
    def __init__(self, settings: PeerSettings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.tls = settings.peer_tls and transport is None
        if self.tls:
            transport = httpx.HTTPTransport(retries=2, verify=settings.instance_tls.client_context())
        self.client = httpx.Client(
            timeout=httpx.Timeout(5.0, connect=2.0), transport=transport or httpx.HTTPTransport(retries=2)
        )

    def get(self, region: Region, path: str, authorization: str, purpose: str | None, correlation_id: str) -> Any:
        headers = {"authorization": authorization, "x-correlation-id": correlation_id}
        if purpose:
            headers["x-purpose"] = purpose
        try:
            response = self._fetch(region, self.settings.peer_url(region) + path, headers)
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

    def _fetch(self, region: Region, url: str, headers: dict[str, str]) -> httpx.Response:
        """The answer, read only once the connection is known to be the owner's instance (its certificate is
        looked at before the body is read, while the connection is surely open)."""
        with self.client.stream("GET", url, headers=headers) as response:
            if self.tls and self._answered_by(response) != PeerIdentity(region, self.settings.service):
                raise Problem(
                    502,
                    "owner-unverified",
                    "Owning region not verified",
                    f"the answer did not come from the {region.value} {self.settings.service.value} instance",
                )
            response.read()
        return response

    @staticmethod
    def _answered_by(response: httpx.Response) -> PeerIdentity | None:
        """The instance whose certificate the connection was made with (verified against the zone CA)."""
        stream = response.extensions.get("network_stream")
        ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
        certificate = ssl_object.getpeercert(True) if ssl_object is not None else None
        return identity_of(certificate) if certificate else None

    def close(self) -> None:
        self.client.close()
