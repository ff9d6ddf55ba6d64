"""The broker-free tier: one service's instances for all three regions in this process, wired from the
service's own declaration (`yrd.registry.SERVICES`) with the Kafka workers left unstarted and an
in-memory bus in their place.

The bus carries outbox rows (exactly the bytes the relay would publish) to the other regions' consumer
runners (`ConsumerRunner.apply`: decode, the idempotency check, the one route of events). HTTP goes
through each app in-process (Starlette's TestClient), point-to-point reads too. By default every request
settles the zone before it returns: every event delivered, every reaction's events too, so a flow across
three regions runs in milliseconds. Held (`hold=True`), events wait in `in_flight` for a test to deliver
them in any order, any number of times.

Stores: SQLite files under `data_dir`, or with `store_url` every instance's schema in that PostgreSQL
database (a database of the zone's own: the schemas are named `{region}_{service}`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import orjson
from fastapi import FastAPI
from starlette.testclient import TestClient

from shared.adapters import outbox
from shared.adapters.peers import Peers
from shared.contracts.envelope import Event, decode
from shared.contracts.regions import Domain, Region, port_of
from shared.contracts.topics import all_regions_topics
from shared.core.settings import Settings
from shared.entrypoints.runtime import Runtime
from tests.backends import read_rows
from yrd.registry import SERVICES

PORT_BASE = 47000  # only names instances: nothing listens in this tier


@dataclass(frozen=True)
class Delivery:
    """One event on the bus: where it was written and what the relay would have published."""

    source: Region
    topic: str
    seq: int
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]

    def event(self) -> Event:
        return decode(self.key, self.value, self.headers)


class _SettlingClient(TestClient):
    def __init__(self, zone: InMemoryZone, app: FastAPI, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.zone = zone

    def request(self, *args: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        response = super().request(*args, **kwargs)
        documented(self.app, response)
        if not self.zone.hold:
            self.zone.settle()
        return response


def documented(app: FastAPI, response: httpx.Response) -> None:
    """Every successful JSON answer must be what the instance's OpenAPI document says it is (so a client
    generated from it reads what it gets)."""
    if not 200 <= response.status_code < 300 or response.headers.get("content-type") != "application/json":
        return
    method, path = response.request.method.lower(), response.request.url.path
    spec = app.openapi()
    template = next(t for t in spec["paths"] if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", t), path))
    if os.environ.get("YRD_RECORD_RESPONSES"):
        with open(os.environ["YRD_RECORD_RESPONSES"], "a") as out:
            out.write(orjson.dumps({"route": f"{method.upper()} {template}", "body": response.json()}).decode())
            out.write("\n")
        return
    documented_as = spec["paths"][template][method]["responses"][str(response.status_code)]
    schema = documented_as.get("content", {}).get("application/json", {}).get("schema")
    assert schema, f"{method.upper()} {template} documents no {response.status_code} body"
    jsonschema_rs.validate({**schema, "components": spec.get("components", {})}, response.json())


class _ZoneTransport(httpx.BaseTransport):
    """Point-to-point reads between instances of the zone, by the port in the peer's URL."""

    def __init__(self, zone: InMemoryZone) -> None:
        self.zone = zone

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        region = self.zone.by_port[request.url.port]
        client = TestClient(self.zone.apps[region], base_url="http://testserver")
        answer = client.request(request.method, request.url.raw_path.decode(), headers=request.headers)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


@dataclass
class InMemoryZone:
    service: Domain
    data_dir: Path
    keys_dir: Path
    hold: bool = False
    store_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    apps: dict[Region, FastAPI] = field(default_factory=dict)
    in_flight: list[Delivery] = field(default_factory=list)
    by_port: dict[int, Region] = field(default_factory=dict)
    log: list[Delivery] = field(default_factory=list)  # everything ever put on the bus, in order

    def __post_init__(self) -> None:
        build = SERVICES[self.service].app
        transport = _ZoneTransport(self)
        for region in Region:
            settings = self.settings(region)
            self.apps[region] = build(settings)
            self.runtime(region).peers = Peers(settings, transport)
            self.by_port[port_of(region, self.service, PORT_BASE)] = region

    def settings(self, region: Region) -> Settings:
        return Settings(
            region=region,
            service=self.service,
            data_dir=self.data_dir,
            keys_dir=self.keys_dir,
            port_base=PORT_BASE,
            topic_prefix="mem.",
            peer_tls=False,  # peer reads go through the zone's in-process transport, no sockets, no TLS
            store_url=self.store_url,
            **self.extra,
        )

    def runtime(self, region: Region) -> Runtime:
        return self.apps[region].state.runtime

    # ---- the same surface as the end-to-end Cluster

    def client(self, region: Region, service: Domain | None = None, token: str | None = None, **headers: str):
        if token:
            headers["authorization"] = f"Bearer {token}"
        return _SettlingClient(self, self.apps[region], base_url="http://testserver/v1", headers=headers)

    def db(self, region: Region, service: Domain | None = None) -> Path:
        return self.runtime(region).settings.db_path

    @property
    def extra_env(self) -> dict[str, str]:
        """As an end-to-end Cluster's: where tests/backends.py's `store_rows` finds the zone's stores."""
        return {"YRD_STORE_URL": self.store_url} if self.store_url else {}

    def openapi(self, service: Domain | None = None) -> dict[str, Any]:
        return TestClient(self.apps[Region.QINGPU]).get("/openapi.json").json()

    # ---- the bus

    def take(self) -> list[Delivery]:
        """Every event the instances have stored and not yet put on the bus, marked sent (the relay's job)."""
        taken = []
        for region in Region:
            store = self.runtime(region).store
            rows = outbox.pending(store.connect(), 10_000)
            if rows:
                store.write(lambda conn, rows=rows: outbox.mark_sent(conn, [r["seq"] for r in rows]))
            relay = self.runtime(region).relay  # signs as the region's relay does
            signed = relay.outgoing_headers(rows)
            taken += [
                Delivery(region, r["topic"], r["seq"], r["key"], r["value"], h)
                for r, h in zip(rows, signed, strict=True)
            ]
        self.log += taken
        return taken

    def deliver(self, delivery: Delivery, to: Region) -> bool:
        """What the consumer of `to` does with the record (its signature checked, then decoded and
        applied); True if it was new there. A refused record raises PoisonMessage."""
        consumer = self.runtime(to).consumer
        return consumer.apply(consumer.read(delivery.topic, delivery.key, delivery.value, delivery.headers))

    def settle(self, max_rounds: int = 50) -> int:
        """Deliver everything (and what reactions emit in answer) until the zone is quiet."""
        delivered = 0
        for _ in range(max_rounds):
            self.in_flight += self.take()
            if not self.in_flight:
                return delivered
            batch, self.in_flight = self.in_flight, []
            consumed = set(all_regions_topics(Domain(self.service.value), "mem."))
            for delivery in batch:
                for region in Region:
                    if region is not delivery.source and delivery.topic in consumed:
                        delivered += self.deliver(delivery, region)
        raise AssertionError("the zone did not settle: reactions keep emitting")

    def scan(self) -> None:
        """Each instance's scanners once (deadlines, expiry), then settle."""
        for region in Region:
            self.runtime(region).scan_once()
        if not self.hold:
            self.settle()

    def rows(self, region: Region, sql: str, *args: Any) -> list[dict[str, Any]]:
        """The rows of `sql` (SQLite's dialect) in the region's store, on either backend."""
        return read_rows(self.runtime(region).store, sql, args)

    def close(self) -> None:
        for region in Region:
            self.runtime(region).peers.close()
            self.runtime(region).store.stop_writer()
            self.runtime(region).store.close()
