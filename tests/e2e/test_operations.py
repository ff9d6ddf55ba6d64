"""Operations as `make run` sets them up: Prometheus scraping the running instances with its scrape
identity, and the operations page read in a real browser.

The project's deploy/prometheus/prometheus.yml is taken as it is, with only the targets moved to this
suite's port base and the scrape tokens to a temporary folder; a real Prometheus from Debian's package
scrapes all twelve instances, the console and the broker's JMX exporter, loads the rules, and answers
queries. The console (`yrd console`) reads it; Debian's Chromium, driven by chromedriver, logs in, waits
for live figures, and checks them against the API after a burst of known traffic.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from selenium import webdriver
from selenium.webdriver.support.ui import WebDriverWait

from services.console.digest import browser, log_in
from shared.adapters.tokens import load_private_key, mint
from shared.contracts.regions import DEFAULT_PORT_BASE, SERVICES, Domain, Region, port_of, zone_today
from shared.core.settings import ROOT
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.helpers import eventually
from tests.instances import KEYS, PORT_BASE, token
from tests.integration.private_broker import free_port

pytestmark = pytest.mark.e2e
CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
CLUSTERS = tuple(f"{service.value}_cluster" for service in SERVICES)  # every service's instances (conftest.py)
INSTANCES = len(SERVICES) * len(Region)
RULE_GROUPS = {
    group["name"]
    for path in (ROOT / "deploy" / "prometheus" / "rules").glob("*.yml")
    for group in yaml.safe_load(path.read_text())["groups"]
}


def _moved(target: str) -> str:
    """A target of the port map at the default base, at this suite's base instead."""
    host, port = target.rsplit(":", 1)
    return f"{host}:{int(port) - DEFAULT_PORT_BASE + PORT_BASE}" if int(port) < DEFAULT_PORT_BASE + 1000 else target


def _config(tmp: Path) -> Path:
    config = yaml.safe_load(CONFIG.read_text())
    config["rule_files"] = [str(CONFIG.parent / rule) for rule in config["rule_files"]]
    config.pop("alerting")  # this suite's alerts never reach the running system's Alertmanager
    for job in config["scrape_configs"]:
        for group in job["static_configs"]:
            group["targets"] = [_moved(t) for t in group["targets"]]
        if "authorization" in job:
            # The same identity as the project's: each region's own for its instances, Qingpu's for the console.
            region = Region(job["authorization"]["credentials_file"].rsplit("scrape-", 1)[1].removesuffix(".token"))
            token = tmp / f"scrape-{region.value}.token"
            key = load_private_key(KEYS, region)
            token.write_text(mint(key, region, f"prometheus@{region.value}", [Role.OPERATOR]))
            job["authorization"]["credentials_file"] = str(token)
    path = tmp / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@dataclass(frozen=True)
class Operations:
    prometheus: str
    console: str
    artifacts: Path


@pytest.fixture(scope="module")
def operations(request, tmp_path_factory):
    for name in CLUSTERS:  # every instance running
        request.getfixturevalue(name)
    binary = shutil.which("prometheus")
    assert binary, "prometheus is missing: `make setup` installs Debian's prometheus package"
    tmp = tmp_path_factory.mktemp("prometheus")
    port = free_port()
    log = open(tmp / "prometheus.log", "wb")  # noqa: SIM115 (closed below)
    console_port = PORT_BASE  # the console's place in the port map: base + 0
    config = _config(tmp)
    console = subprocess.Popen(
        [sys.executable, "-m", "yrd.cli", "console", "--port", str(console_port)],
        env={**os.environ, "YRD_PROMETHEUS_URL": f"http://127.0.0.1:{port}", "YRD_KEYS_DIR": str(KEYS)},
        stdout=log,
        stderr=log,
    )
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=log,
    )
    try:
        artifacts = ROOT / "var" / "test-artifacts"  # kept after the run (git-ignored)
        artifacts.mkdir(parents=True, exist_ok=True)
        yield Operations(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{console_port}", artifacts)
    finally:
        for child in (process, console):
            child.terminate()
            child.wait(timeout=30)
        log.close()


def _query(base: str, expr: str) -> list[dict]:
    answer = httpx.get(f"{base}/api/v1/query", params={"query": expr}, timeout=5).json()
    assert answer["status"] == "success", answer
    return answer["data"]["result"]


def _every(base: str, expr: str, count: int) -> list[dict]:
    """The samples of `expr` once Prometheus has `count` of them (one per series it scrapes)."""
    return _eventually(lambda: found if len(found := _query(base, expr)) == count else None)


def _eventually(probe, timeout: float = 60.0):
    """Prometheus and the console answer errors, or not JSON yet, while they start."""
    return eventually(probe, timeout=timeout, interval=1, ignoring=(httpx.HTTPError, ValueError))


def test_every_instance_the_console_and_the_broker_are_scraped_with_the_scrape_identity(operations):
    prometheus = operations.prometheus

    def all_up():
        targets = httpx.get(f"{prometheus}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
        up = len(targets) == INSTANCES + 2 and all(t["health"] == "up" for t in targets)  # + console, broker
        return targets if up else None

    try:
        targets = _eventually(all_up)
    except AssertionError:
        targets = httpx.get(f"{prometheus}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
        down = [(t["scrapeUrl"], t["health"], t["lastError"]) for t in targets if t["health"] != "up"]
        raise AssertionError(f"{len(targets)} targets, not up: {down}") from None
    yrd = {t["scrapeUrl"] for t in targets if t["labels"]["job"].startswith("yrd-")}
    assert yrd == {
        f"http://127.0.0.1:{port_of(region, service, PORT_BASE)}/metrics" for region in Region for service in SERVICES
    }
    assert {t["labels"]["job"] for t in targets} == {"yrd-jiashan", "yrd-qingpu", "yrd-wujiang", "console", "kafka"}


def test_the_rules_are_loaded_and_read_live_figures(operations):
    prometheus = operations.prometheus
    groups = _eventually(lambda: httpx.get(f"{prometheus}/api/v1/rules", timeout=5).json()["data"]["groups"])
    # Every rule file, the three-cluster zone's too (whose series are simply absent on one broker).
    assert {g["name"] for g in groups} == RULE_GROUPS
    ready = _every(prometheus, "yrd_ready", INSTANCES * 3)  # three checks each: store, workers, kafka
    assert len(ready) == INSTANCES * 3 and all(sample["value"][1] == "1" for sample in ready)
    # Each instance froze its start-up heap once it had caught up (runtime.settle_heap).
    frozen = _every(prometheus, "yrd_heap_frozen_objects > 10000", INSTANCES)
    assert frozen
    broker = _eventually(lambda: _query(prometheus, "kafka_server_replicamanager_partitioncount") or None)
    assert float(broker[0]["value"][1]) > 0
    assert _query(prometheus, 'ALERTS{alertname="YrdInstanceDown"}') == []


def _burst(count: int) -> None:
    """Known traffic: filings submitted at the Jiashan window for the Qingpu court."""
    clerk = token(Region.JIASHAN, Role.WINDOW_CLERK)
    url = f"http://127.0.0.1:{port_of(Region.JIASHAN, Domain.FILING, PORT_BASE)}/v1/filings"
    for _ in range(count):
        answer = httpx.post(url, json=filing_body(court="qingpu"), headers={"authorization": f"Bearer {clerk}"})
        assert answer.status_code == 202, answer.text


def _shown(driver: webdriver.Chrome) -> dict[str, str]:
    """Every figure on the page, read at once (the page redraws its tables on each refresh)."""
    return driver.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('[data-figure]')]"
        ".map((cell) => [cell.dataset.figure, cell.textContent]))"
    )


def test_the_operations_page_shows_live_figures_that_match_the_api(operations):
    console = operations.console
    operator = token(Region.QINGPU, Role.OPERATOR)
    api = httpx.Client(base_url=console)
    assert api.get("/api/overview").status_code == 401  # no cookie, no figures
    assert api.post("/login", json={"token": token(Region.QINGPU, Role.WINDOW_CLERK)}).status_code == 401
    login = api.post("/login", json={"token": operator})
    assert login.status_code == 204
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    before = api.get("/api/overview").json()["volumes"]["jiashan"]["filings_submitted"]
    _burst(3)
    _eventually(lambda: api.get("/api/overview").json()["volumes"]["jiashan"]["filings_submitted"] >= before + 3)

    driver = browser()
    try:
        log_in(driver, console, operator)
        WebDriverWait(driver, 30).until(lambda d: _shown(d).get("volumes.jiashan.filings_submitted"))

        def page_matches_api() -> bool:
            shown = _shown(driver)
            figures = api.get("/api/overview").json()
            expected = {
                f"volumes.{region}.{key}": str(value)
                for region, values in figures["volumes"].items()
                for key, value in values.items()
            }
            return (
                all(shown.get(k) == v for k, v in expected.items())
                and int(shown["volumes.jiashan.filings_submitted"]) >= before + 3
            )

        _eventually(page_matches_api, timeout=30)
        assert _shown(driver)["plane.instances_up"] == f"{INSTANCES} / {INSTANCES}"
        # The burst crossed the zone: how long after Jiashan wrote them the other regions had applied them.
        _eventually(lambda: _shown(driver)["plane.event_delay_p99_ms"].endswith(" ms"), timeout=30)
        driver.save_screenshot(str(operations.artifacts / "operations-page.png"))
        # Script errors fail the page; the one 401 before logging in is how the page learns it must ask.
        log = driver.get_log("browser")
        errors = [
            e for e in log if e["level"] == "SEVERE" and not ("/api/overview" in e["message"] and "401" in e["message"])
        ]
        assert errors == [], errors
    finally:
        driver.quit()


def test_the_daily_digest_is_the_page_of_that_day_as_png_and_pdf(operations, tmp_path):
    day = zone_today().isoformat()
    command = [sys.executable, "-m", "yrd.cli", "digest", "--date", day, "--console", operations.console]
    result = subprocess.run(
        [*command, "--out", str(tmp_path)],
        env={**os.environ, "YRD_KEYS_DIR": str(KEYS)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    png = (tmp_path / f"digest-{zone_today().isoformat()}.png").read_bytes()
    pdf = (tmp_path / f"digest-{zone_today().isoformat()}.pdf").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 50_000
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    future = httpx.Client(base_url=operations.console)
    future.post("/login", json={"token": token(Region.QINGPU, Role.SUPERVISOR)})
    assert future.get("/api/overview", params={"date": "2999-01-01"}).status_code == 422
