"""The Prometheus configuration and rules are valid, and every alert rule fires when it should and stays
silent when it should (deploy/prometheus/tests, run with promtool from Debian's prometheus package)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from shared.adapters.tokens import write_scrape_tokens
from shared.core.settings import ROOT

PROMETHEUS = ROOT / "deploy" / "prometheus"


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    assert found, "promtool is missing: `make setup` installs Debian's prometheus package"
    return found


def run(promtool: str, *args: str | Path) -> str:
    result = subprocess.run([promtool, *map(str, args)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_configuration_and_its_rule_files_are_valid(promtool, tmp_path):
    write_scrape_tokens(ROOT / ".cache" / "keys")  # the config names them; `yrd run-all` writes them too
    out = run(promtool, "check", "config", PROMETHEUS / "prometheus.yml")
    assert "SUCCESS" in out


def _rules() -> list[dict]:
    import yaml

    files = sorted((PROMETHEUS / "rules").glob("*.yml"))
    return [rule for path in files for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]]


def test_the_zone_configuration_is_valid(promtool, tmp_path):
    """`yrd run-all --zone` derives Prometheus's configuration for the three clusters and MirrorMakers."""
    import yaml

    from yrd.zone.layout import ZoneLayout
    from yrd.zone.prometheus import write_zone_config

    write_scrape_tokens(ROOT / ".cache" / "keys")
    config = write_zone_config(PROMETHEUS / "prometheus.yml", ZoneLayout(tmp_path), tmp_path / "zone.yml")
    assert "SUCCESS" in run(promtool, "check", "config", config)
    jobs = {job["job_name"]: job for job in yaml.safe_load(config.read_text())["scrape_configs"]}
    brokers = {c["labels"]["cluster"]: c["targets"] for c in jobs["kafka"]["static_configs"]}
    assert brokers == {"jiashan": ["127.0.0.1:9194"], "qingpu": ["127.0.0.1:9294"], "wujiang": ["127.0.0.1:9394"]}
    mirrors = {c["labels"]["cluster"]: c["targets"] for c in jobs["mirror"]["static_configs"]}
    assert mirrors == {"jiashan": ["127.0.0.1:9195"], "qingpu": ["127.0.0.1:9295"], "wujiang": ["127.0.0.1:9395"]}


def test_the_jmx_exporters_configurations_load(promtool):
    """A configuration the exporter cannot read stops the JVM it rides in (broker or MirrorMaker)."""
    import re

    import yaml

    for path in (ROOT / "deploy" / "kafka" / "jmx-exporter.yml", ROOT / "deploy" / "mirror" / "jmx-exporter.yml"):
        rules = yaml.safe_load(path.read_text())["rules"]
        assert rules, path
        for rule in rules:
            re.compile(rule["pattern"])  # Java's syntax, as far as these patterns go


def test_every_alert_rule_has_a_firing_case(promtool):
    """Each alert is named in a test case that expects it to fire (its silent cases sit beside it)."""
    import yaml

    alerts = {rule["alert"] for rule in _rules() if "alert" in rule}
    tested = {
        case["alertname"]
        for path in (PROMETHEUS / "tests").glob("*.yml")
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert alerts - tested == set()


def test_every_recording_rule_has_an_expected_value(promtool):
    import yaml

    recorded = {rule["record"] for rule in _rules() if "record" in rule}
    tested = {
        case["expr"].split("{")[0]
        for path in (PROMETHEUS / "tests").glob("*.yml")
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("promql_expr_test", [])
    }
    assert recorded - tested == set()


def test_the_rules_behave_as_their_tests_say(promtool):
    out = run(promtool, "test", "rules", *sorted((PROMETHEUS / "tests").glob("*.yml")))
    assert "SUCCESS" in out
