"""Service instances started as a user would (`yrd serve`), on a port base, data directory and topic
namespace of a test's own; the end-to-end and zone suites both run them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx

from shared.adapters.tokens import load_private_key, mint
from shared.contracts.regions import Domain, Region, port_of
from shared.core.settings import ROOT
from shared.rules.policy import Role

SUITE_PORT_BASE = int(os.environ.get("YRD_TEST_PORT_BASE", "18000"))  # a second suite beside this one moves it
# pytest-xdist's workers (gw0, gw1) run the end-to-end tier side by side, each its instances, consoles and
# identity provider on ports of its own: 500 apart, clear of every range a worker uses (base + 100..399 for
# a cluster, + 2000..2399 for the identity suite's, + 2080 Keycloak, + 3000.., + 4000.., + 10000..). Two
# workers, as `make test` runs: a third, 1000 up, would meet the first's ranges.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
PORT_BASE = SUITE_PORT_BASE + 500 * WORKER
KEYS = ROOT / ".cache" / "keys"


@dataclass
class Cluster:
    prefix: str
    data_dir: Path
    services: list[Domain]
    extra_env: dict[str, str] = field(default_factory=dict)
    procs: dict[tuple[Region, Domain], subprocess.Popen] = field(default_factory=dict)
    port_base: int = PORT_BASE
    # Each region's own cluster (the three-cluster zone); otherwise KAFKA_BOOTSTRAP for all.
    bootstraps: dict[Region, str] = field(default_factory=dict)

    def url(self, region: Region, service: Domain) -> str:
        return f"http://127.0.0.1:{port_of(region, service, self.port_base)}"

    def env(self, region: Region | None = None) -> dict[str, str]:
        home = {"KAFKA_BOOTSTRAP": self.bootstraps[region]} if region in self.bootstraps else {}
        return {
            **os.environ,
            "YRD_TOPIC_PREFIX": self.prefix,
            "YRD_DATA_DIR": str(self.data_dir),
            "YRD_PORT_BASE": str(self.port_base),
            "YRD_SCAN_SECONDS": "0.2",
            "YRD_KEYS_DIR": str(KEYS),
            **self.extra_env,
            **home,
        }

    def start(self, region: Region, service: Domain) -> None:
        log = open(self.data_dir / f"{region.value}-{service.value}.log", "ab")  # noqa: SIM115 (lives with the process)
        self.procs[(region, service)] = subprocess.Popen(
            [sys.executable, "-m", "yrd.cli", "serve", service.value, "--region", region.value],
            env=self.env(region),
            stdout=log,
            stderr=log,
        )

    def stop(self, region: Region, service: Domain) -> None:
        proc = self.procs.pop((region, service))
        proc.terminate()
        proc.wait(timeout=30)

    @contextmanager
    def stopped(self, region: Region, service: Domain) -> Iterator[None]:
        """The instance stopped for the block and serving again after it, whatever the block did: a test that
        fails while its instance is down does not take the module's later tests with it."""
        self.stop(region, service)
        try:
            yield
        finally:
            self.start(region, service)
            self.wait_ready(only=[(region, service)])

    def stop_all(self) -> None:
        """Every instance asked to stop at once, then waited for: each takes a second or more to shut down
        (its threads finish and commit what they applied), and one after another that added up to a minute
        and a half of the suite's teardown."""
        stopping = list(self.procs.values())
        self.procs.clear()
        for proc in stopping:
            proc.terminate()
        for proc in stopping:
            proc.wait(timeout=30)

    def kill(self, region: Region, service: Domain) -> None:
        """kill -9: no shutdown hooks, no consumer leaving its group, whatever was in flight is cut off."""
        proc = self.procs.pop((region, service))
        proc.kill()
        proc.wait(timeout=30)

    def wait_ready(self, timeout: float = 60, only: list[tuple[Region, Domain]] | None = None) -> None:
        deadline = time.monotonic() + timeout
        for region, service in only or list(self.procs):
            while True:
                try:
                    if httpx.get(self.url(region, service) + "/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if self.procs[(region, service)].poll() is not None or time.monotonic() > deadline:
                    log = (self.data_dir / f"{region.value}-{service.value}.log").read_text()[-3000:]
                    raise RuntimeError(f"{region.value} {service.value} did not get ready:\n{log}")
                time.sleep(0.2)

    def client(self, region: Region, service: Domain, token: str | None = None, **headers: str) -> httpx.Client:
        auth = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url(region, service) + "/v1", headers={**auth, **headers}, timeout=15)

    def pipeline_figures(self) -> str:
        """Each running instance's outbox, publishing and consuming figures, read off its /metrics: what a
        failed cross-region wait needs to tell where an event stopped (the report of a failed test has them)."""
        wanted = (
            *("yrd_outbox_backlog", "yrd_publish_failures", "yrd_events_published_total", "yrd_events_consumed_total"),
            *("yrd_consumer_lag", "yrd_handler_retries", "yrd_events_dead_lettered", "yrd_ready", "yrd_kafka_up"),
        )
        lines = []
        for region, service in list(self.procs):
            operator = {"authorization": f"Bearer {token(region, Role.OPERATOR)}"}
            try:
                text = httpx.get(self.url(region, service) + "/metrics", headers=operator, timeout=5).text
            except httpx.HTTPError as error:
                lines.append(f"{region.value} {service.value}: /metrics unanswered ({type(error).__name__})")
                continue
            figures = [line for line in text.splitlines() if line.startswith(wanted)]
            lines.append(f"{region.value} {service.value}: " + "; ".join(figures))
        return "\n".join(lines)

    def db(self, region: Region, service: Domain) -> Path:
        return self.data_dir / f"{region.value}-{service.value}.sqlite3"

    def openapi(self, service: Domain) -> dict:
        return httpx.get(self.url(Region.QINGPU, service) + "/openapi.json").json()


def serving(cluster: Cluster, regions: tuple[Region, ...] = tuple(Region), timeout: float = 60) -> Iterator[Cluster]:
    """A fixture's body: the cluster's services started in `regions`, ready, yielded, and stopped after."""
    try:
        for service in cluster.services:
            for region in regions:
                cluster.start(region, service)
        cluster.wait_ready(timeout)
        yield cluster
    finally:
        cluster.stop_all()


def token(
    region: Region,
    *roles: Role,
    subject: str | None = None,
    ttl: timedelta = timedelta(hours=1),
    agency: str | None = None,
) -> str:
    return mint(
        load_private_key(KEYS, region), region, subject or f"{region.value}-{roles[0].value}", list(roles), agency, ttl
    )
