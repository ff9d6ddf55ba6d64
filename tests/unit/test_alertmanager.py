"""Alertmanager's configuration is valid and routes each kind of alert to the duty channel that must act
(deploy/alertmanager/tests/routes.yml, through `amtool config routes test` from Debian's
prometheus-alertmanager package), and every alert rule carries the labels those routes read."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from shared.contracts.regions import Region
from shared.core.settings import ROOT

ALERTMANAGER = ROOT / "deploy" / "alertmanager"
CONFIG = ALERTMANAGER / "alertmanager.yml"
RULES = ROOT / "deploy" / "prometheus" / "rules"


@pytest.fixture(scope="module")
def amtool() -> str:
    found = shutil.which("amtool")
    assert found, "amtool is missing: `make setup` installs Debian's prometheus-alertmanager package"
    return found


def _amtool(amtool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([amtool, *args], capture_output=True, text=True, timeout=60)


def test_the_configuration_is_valid(amtool):
    result = _amtool(amtool, "check-config", str(CONFIG))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


CASES = yaml.safe_load((ALERTMANAGER / "tests" / "routes.yml").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_each_alert_reaches_the_channel_that_must_act(amtool, case):
    labels = [f"{name}={value}" for name, value in case["labels"].items()]
    expected = ",".join(case["receivers"])
    result = _amtool(
        amtool, "config", "routes", "test", f"--config.file={CONFIG}", "--verify.receivers", expected, *labels
    )
    assert result.returncode == 0, f"{case['labels']} went to {result.stdout.strip()}, not {expected}"


def test_every_receiver_posts_to_the_bridge_on_this_machine_with_its_identity():
    """Outside addresses and secrets (robot URLs, signing keys) are the bridge's configuration, never here."""
    config = yaml.safe_load(CONFIG.read_text())
    for receiver in config["receivers"]:
        hooks = receiver["webhook_configs"]
        assert hooks and set(receiver) == {"name", "webhook_configs"}, receiver["name"]
        for hook in hooks:
            assert hook["url"].startswith("http://127.0.0.1:8000/alertmanager/"), hook["url"]
            assert hook["send_resolved"] is True
            assert hook["http_config"]["authorization"] == {"credentials_file": "../../.cache/keys/alertmanager.secret"}
    zone = {hook["url"] for r in config["receivers"] if r["name"] == "zone-page" for hook in r["webhook_configs"]}
    assert zone == {f"http://127.0.0.1:8000/alertmanager/{region.value}/page" for region in Region}


def _alert_rules() -> list[dict]:
    return [
        rule
        for path in sorted(RULES.glob("*.yml"))
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


def test_every_alert_says_how_urgent_it_is_and_who_must_act():
    """A severity the routes know, and either the zone scope or a region: the rule's own label, one its
    expression keeps (`by (..., region)`), or that of the service metric it reads (every `yrd_` series and
    `yrd:` recording carries the region of the instance that counted it)."""
    for rule in _alert_rules():
        labels, expr = rule.get("labels", {}), rule["expr"].strip()
        assert labels.get("severity") in {"page", "ticket"}, rule["alert"]
        if labels.get("scope") != "zone":
            assert (
                "region" in labels or re.search(r"by \([^)]*\bregion\b", expr) or expr.startswith(("yrd_", "yrd:"))
            ), rule["alert"]


def test_the_routing_cases_name_every_receiver():
    receivers = {r["name"] for r in yaml.safe_load(CONFIG.read_text())["receivers"]}
    routed = {name for case in CASES for name in case["receivers"]}
    assert receivers == routed


def test_the_launched_configuration_points_every_receiver_at_this_port_base_s_bridge(tmp_path, amtool):
    """`yrd run-all` (and the end-to-end test) writes the configuration it starts Alertmanager with: the
    project's routes, the receivers moved to the operations process of its port base, its token file."""
    from yrd.alertmanager import command, write_config

    token = tmp_path / "alertmanager.token"
    token.write_text("x")
    timing = {"group_wait": "1s", "group_interval": "2s", "repeat_interval": "1h"}
    written = write_config(tmp_path / "am.yml", "http://127.0.0.1:18000", token, timing)
    assert _amtool(amtool, "check-config", str(written)).returncode == 0
    config = yaml.safe_load(written.read_text())
    hooks = [hook for receiver in config["receivers"] for hook in receiver["webhook_configs"]]
    assert {hook["url"].rsplit("/alertmanager/", 1)[0] for hook in hooks} == {"http://127.0.0.1:18000"}
    assert {hook["http_config"]["authorization"]["credentials_file"] for hook in hooks} == {str(token)}
    routes, seen = [config["route"]], []
    while routes:
        route = routes.pop()
        seen.append(route.get("group_wait"))
        routes.extend(route.get("routes", []))
    assert set(seen) == {"1s", None}  # every route that sets a wait now waits a second
    line = command(written, tmp_path / "state", 19095)
    assert "--cluster.listen-address=" in line and "--web.listen-address=127.0.0.1:19095" in line
