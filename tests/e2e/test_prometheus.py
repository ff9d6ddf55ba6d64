"""Prometheus, as `make run` configures it, scraping the running instances with its scrape identity.

The project's deploy/prometheus/prometheus.yml is taken as it is, with only the targets moved to this
suite's port base and the scrape tokens to a temporary folder; a real Prometheus from Debian's package
scrapes all twelve instances and the broker's JMX exporter, loads the rules, and answers queries.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from shared.adapters.tokens import load_private_key, mint
from shared.contracts.regions import DEFAULT_PORT_BASE, SERVICES, Region, port_of
from shared.core.settings import ROOT
from shared.rules.policy import Role
from tests.e2e.conftest import KEYS, PORT_BASE
from tests.integration.private_broker import free_port

pytestmark = pytest.mark.e2e
CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
CLUSTERS = ("filing_cluster", "alerts_cluster", "corrections_cluster", "notary_cluster")


def _moved(target: str) -> str:
    """A target of the port map at the default base, at this suite's base instead."""
    host, port = target.rsplit(":", 1)
    return f"{host}:{int(port) - DEFAULT_PORT_BASE + PORT_BASE}" if int(port) < DEFAULT_PORT_BASE + 1000 else target


def _config(tmp: Path) -> Path:
    config = yaml.safe_load(CONFIG.read_text())
    config["rule_files"] = [str(CONFIG.parent / rule) for rule in config["rule_files"]]
    for job in config["scrape_configs"]:
        for group in job["static_configs"]:
            group["targets"] = [_moved(t) for t in group["targets"]]
        if "authorization" in job:
            region = Region(job["job_name"].removeprefix("yrd-"))
            token = tmp / f"scrape-{region.value}.token"
            key = load_private_key(KEYS, region)
            token.write_text(mint(key, region, f"prometheus@{region.value}", [Role.OPERATOR]))
            job["authorization"]["credentials_file"] = str(token)
    path = tmp / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def prometheus(request, tmp_path_factory):
    for name in CLUSTERS:  # every instance running
        request.getfixturevalue(name)
    binary = shutil.which("prometheus")
    assert binary, "prometheus is missing: `make setup` installs Debian's prometheus package"
    tmp = tmp_path_factory.mktemp("prometheus")
    port = free_port()
    log = open(tmp / "prometheus.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={_config(tmp)}",
            f"--storage.tsdb.path={tmp / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=log,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _query(base: str, expr: str) -> list[dict]:
    answer = httpx.get(f"{base}/api/v1/query", params={"query": expr}, timeout=5).json()
    assert answer["status"] == "success", answer
    return answer["data"]["result"]


def _eventually(probe, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if result := probe():
                return result
        except (httpx.HTTPError, AssertionError):
            pass
        assert time.monotonic() < deadline, "timed out"
        time.sleep(1)


def test_every_instance_and_the_broker_are_scraped_with_the_scrape_identity(prometheus):
    def all_up():
        targets = httpx.get(f"{prometheus}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
        return targets if len(targets) == 13 and all(t["health"] == "up" for t in targets) else None

    targets = _eventually(all_up)
    yrd = {t["scrapeUrl"] for t in targets if t["labels"]["job"].startswith("yrd-")}
    assert yrd == {
        f"http://127.0.0.1:{port_of(region, service, PORT_BASE)}/metrics" for region in Region for service in SERVICES
    }
    assert {t["labels"]["job"] for t in targets} == {"yrd-jiashan", "yrd-qingpu", "yrd-wujiang", "kafka"}


def test_the_rules_are_loaded_and_read_live_figures(prometheus):
    groups = httpx.get(f"{prometheus}/api/v1/rules", timeout=5).json()["data"]["groups"]
    assert {g["name"] for g in groups} == {"yrd-recording", "yrd-platform", "yrd-sla"}
    ready = _eventually(lambda: _query(prometheus, "yrd_ready") or None)
    assert len(ready) == 12 * 3 and all(sample["value"][1] == "1" for sample in ready)
    broker = _eventually(lambda: _query(prometheus, "kafka_server_replicamanager_partitioncount") or None)
    assert float(broker[0]["value"][1]) > 0
    assert _query(prometheus, 'ALERTS{alertname="YrdInstanceDown"}') == []
