"""Alerts reach the people on duty, end to end: one region's instance stops, the project's rule fires in a
real Prometheus, the project's Alertmanager configuration routes it, the operations process's bridge turns
it into that region's group-robot message, and a receiver started here (standing in for WeCom, DingTalk
and a JSON webhook) gets it on that region's channel only; the instance comes back and the resolution
arrives the same way.

Everything here is the test's own, beside a running `make run` system: Prometheus, Alertmanager and the
operations process on free ports, the instances on this suite's port base, seconds instead of minutes
(the rule's `for`, Alertmanager's group timings; promtool and amtool tests check the real ones)."""

from __future__ import annotations

import base64
import email.policy
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml
from aiosmtpd.controller import Controller

from services.console.hooks import bridge_secret
from shared.adapters.tokens import load_private_key, mint
from shared.contracts.regions import Domain, Region, port_of, zone_today
from shared.core.settings import ROOT
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.helpers import eventually
from tests.instances import KEYS, PORT_BASE, token
from tests.integration.private_broker import free_port
from yrd import alertmanager

pytestmark = pytest.mark.e2e
PROMETHEUS = ROOT / "deploy" / "prometheus"
SECRET = "SEC-test-signing-secret"  # the DingTalk robot's, here: the receiver checks every signature


@dataclass
class Robots:
    """The group robots and webhook of the three duty channels: what each path received."""

    received: dict[str, list[dict]] = field(default_factory=dict)
    bad_signatures: list[str] = field(default_factory=list)

    def on(self, channel: str) -> list[dict]:
        return list(self.received.get(channel, []))

    def mentioning(self, channel: str, *words: str) -> list[dict]:
        return [m for m in self.on(channel) if all(w in json.dumps(m, ensure_ascii=False) for w in words)]


def _robots_server(robots: Robots) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            url = urlsplit(self.path)
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            if url.path.startswith("/dingtalk/"):
                query = parse_qs(url.query)
                stamp = query["timestamp"][0]
                expected = hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest()
                if base64.b64decode(query["sign"][0]) != expected:
                    robots.bad_signatures.append(self.path)
            robots.received.setdefault(url.path, []).append(body)
            refused = url.path.startswith("/refuses/")  # a robot whose key was revoked, say
            answer = json.dumps({"errcode": 93000 if refused else 0, "errmsg": "invalid" if refused else "ok"}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)


def _prometheus_config(tmp: Path, alertmanager_port: int) -> Path:
    """The project's rules (YrdInstanceDown's minute cut to 2 s) over this suite's filing instances, scraped
    with each region's scrape identity, alerting this test's Alertmanager."""
    rules = yaml.safe_load((PROMETHEUS / "rules" / "yrd.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == "YrdInstanceDown":
                rule["for"] = "2s"
    (tmp / "rules.yml").write_text(yaml.safe_dump(rules, sort_keys=False))
    jobs = []
    for region in Region:
        token = tmp / f"scrape-{region.value}.token"
        token.write_text(mint(load_private_key(KEYS, region), region, f"prometheus@{region.value}", [Role.OPERATOR]))
        target = f"127.0.0.1:{port_of(region, Domain.FILING, PORT_BASE)}"
        jobs.append(
            {
                "job_name": f"yrd-{region.value}",
                "authorization": {"credentials_file": str(token)},
                "static_configs": [{"targets": [target], "labels": {"zone_region": region.value}}],
            }
        )
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(tmp / "rules.yml")],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{alertmanager_port}"]}]}]},
        "scrape_configs": jobs,
    }
    path = tmp / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


class Mailbox:
    """The SMTP sink (aiosmtpd) standing in for the agency's mail server: what it was given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@dataclass(frozen=True)
class Alerting:
    robots: Robots
    alertmanager: str
    console: str
    token: str  # an operator's: signs in to the console (POST /login) to read the deliveries
    secret: str  # the bridge's: what Alertmanager posts with
    env: dict[str, str]
    mailbox: Mailbox


@pytest.fixture(scope="module")
def alerting(filing_cluster, tmp_path_factory):
    for binary in ("prometheus", "prometheus-alertmanager"):
        assert shutil.which(binary), f"{binary} is missing: `make setup` installs Debian's packages"
    tmp = tmp_path_factory.mktemp("alerting")
    robots = Robots()
    server = _robots_server(robots)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    robot = f"http://127.0.0.1:{server.server_port}"
    channels = {
        "regions": {
            "jiashan": [{"kind": "wecom", "url": f"{robot}/wecom/jiashan?key=k"}],
            "qingpu": [{"kind": "dingtalk", "url": f"{robot}/dingtalk/qingpu?access_token=t", "secret": SECRET}],
            "wujiang": [{"kind": "webhook", "url": f"{robot}/hook/wujiang"}],
        }
    }
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    channels["digest"] = {
        "enabled": False,  # the schedule's clock is not this test's: `yrd digest --send` runs the job here
        "channels": [
            {"kind": "wecom", "url": f"{robot}/digest/wecom?key=k"},
            {"kind": "dingtalk", "url": f"{robot}/digest/dingtalk?access_token=t", "secret": SECRET},
            {"kind": "webhook", "url": f"{robot}/digest/hook"},
            {"kind": "wecom", "url": f"{robot}/refuses/wecom?key=revoked"},
        ],
        "mail": {"host": "127.0.0.1", "port": smtp.port, "sender": "yrd@zone.test", "to": ["leaders@zone.test"]},
    }
    (tmp / "notify.yml").write_text(yaml.safe_dump(channels))
    console_port, am_port, prom_port = free_port(), free_port(), free_port()
    token = mint(load_private_key(KEYS, Region.QINGPU), Region.QINGPU, "operator@test", [Role.OPERATOR])
    secret_file = bridge_secret(KEYS)  # the console of this test reads the zone's keys directory too
    am_config = alertmanager.write_config(
        tmp / "alertmanager.yml",
        f"http://127.0.0.1:{console_port}",
        secret_file,
        {"group_wait": "1s", "group_interval": "2s", "repeat_interval": "1h"},
    )
    log = open(tmp / "alerting.log", "wb")  # noqa: SIM115 (closed below)
    env = {
        **os.environ,
        "YRD_KEYS_DIR": str(KEYS),
        "YRD_NOTIFY_CONFIG": str(tmp / "notify.yml"),
        "YRD_DATA_DIR": str(tmp),
        "YRD_PORT_BASE": str(PORT_BASE),  # the day's exact volumes are read from this suite's instances
    }
    console = [sys.executable, "-m", "uvicorn", "--factory", "services.console.app:build", "--port", str(console_port)]
    prometheus = [
        shutil.which("prometheus"),
        f"--config.file={_prometheus_config(tmp, am_port)}",
        f"--storage.tsdb.path={tmp / 'prometheus'}",
        f"--web.listen-address=127.0.0.1:{prom_port}",
        "--rules.alert.resend-delay=1s",
    ]
    children = [
        subprocess.Popen(
            console, env={**env, "YRD_PROMETHEUS_URL": f"http://127.0.0.1:{prom_port}"}, stdout=log, stderr=log
        ),
        subprocess.Popen(alertmanager.command(am_config, tmp / "alertmanager", am_port), stdout=log, stderr=log),
        subprocess.Popen(prometheus, stdout=log, stderr=log),
    ]
    try:
        for url in (f"http://127.0.0.1:{console_port}/healthz", f"http://127.0.0.1:{am_port}/-/ready"):
            eventually(
                lambda u=url: httpx.get(u, timeout=2).status_code == 200, timeout=30, ignoring=(httpx.HTTPError,)
            )
        yield Alerting(
            robots,
            f"http://127.0.0.1:{am_port}",
            f"http://127.0.0.1:{console_port}",
            token,
            secret_file.read_text().strip(),
            env,
            smtp.handler,
        )
    finally:
        smtp.stop()
        for child in children:
            child.terminate()
            child.wait(timeout=30)
        server.shutdown()
        log.close()


def test_a_region_s_instance_down_reaches_that_region_s_duty_channel_only_and_so_does_its_resolution(
    alerting, filing_cluster
):
    robots = alerting.robots
    with filing_cluster.stopped(Region.QINGPU, Domain.FILING):
        fired = eventually(
            lambda: robots.mentioning("/dingtalk/qingpu", "FIRING", "YrdInstanceDown"), timeout=90, interval=0.5
        )
    message = fired[0]
    assert message["msgtype"] == "markdown"
    assert message["at"] == {"isAtAll": True}  # a page: everyone in the group is called
    assert (
        f"{port_of(Region.QINGPU, Domain.FILING, PORT_BASE)} (qingpu) does not answer scrapes"
        in message["markdown"]["text"]
    )
    assert "qingpu · page" in message["markdown"]["title"]
    resolved = eventually(
        lambda: robots.mentioning("/dingtalk/qingpu", "RESOLVED", "YrdInstanceDown"), timeout=90, interval=0.5
    )
    assert resolved[0]["at"] == {"isAtAll": False}  # nobody is called out for good news
    assert robots.bad_signatures == []
    for elsewhere in ("/wecom/jiashan", "/hook/wujiang"):
        assert robots.mentioning(elsewhere, "YrdInstanceDown") == [], robots.on(elsewhere)
    deliveries = _deliveries(alerting)
    assert any(d["ok"] and d["channel"].startswith("dingtalk 127.0.0.1") for d in deliveries["recent"])
    assert all("access_token" not in d["channel"] for d in deliveries["recent"])  # robot keys are never shown


def _deliveries(alerting: Alerting) -> dict:
    """The deliveries list as the page reads it: with a console session, opened by the script login."""
    with httpx.Client(base_url=alerting.console) as page:
        assert page.post("/login", json={"token": alerting.token}).status_code == 204
        answer = page.get("/api/deliveries")
        assert answer.status_code == 200, answer.text
        return answer.json()


def test_the_deliveries_are_read_with_a_console_session_only(alerting):
    raw = httpx.get(f"{alerting.console}/api/deliveries", cookies={"yrd_console": alerting.token})
    assert raw.status_code == 401 and raw.headers["content-type"] == "application/problem+json"
    assert set(_deliveries(alerting)) >= {"failures", "recent"}


def _post_alerts(alerting: Alerting, *labels: dict[str, str]) -> None:
    starts = datetime.now(UTC).isoformat()
    ends = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    alerts = [
        {"labels": lab, "annotations": {"summary": lab["alertname"]}, "startsAt": starts, "endsAt": ends}
        for lab in labels
    ]
    assert httpx.post(f"{alerting.alertmanager}/api/v2/alerts", json=alerts, timeout=5).status_code == 200


def _state(alerting: Alerting, alertname: str) -> dict:
    found = httpx.get(f"{alerting.alertmanager}/api/v2/alerts", params={"filter": f'alertname="{alertname}"'}).json()
    return found[0]["status"] if found else {}


def test_the_broker_down_silences_the_consumer_lag_it_causes(alerting):
    _post_alerts(
        alerting,
        {"alertname": "KafkaBrokerDown", "scope": "zone", "severity": "page", "job": "kafka"},
        {"alertname": "YrdConsumerLagHigh", "region": "jiashan", "service": "filing", "severity": "ticket"},
    )
    state = eventually(lambda: s if (s := _state(alerting, "YrdConsumerLagHigh")).get("inhibitedBy") else None)
    assert state["state"] == "suppressed"
    everyone = {"/wecom/jiashan", "/dingtalk/qingpu", "/hook/wujiang"}  # the broker concerns every region
    eventually(lambda: all(alerting.robots.mentioning(c, "KafkaBrokerDown") for c in everyone), timeout=30)
    assert alerting.robots.mentioning("/wecom/jiashan", "YrdConsumerLagHigh") == []


def test_a_silence_keeps_a_region_s_alert_from_its_channel(alerting):
    silence = {
        "matchers": [{"name": "region", "value": "wujiang", "isRegex": False, "isEqual": True}],
        "startsAt": datetime.now(UTC).isoformat(),
        "endsAt": (datetime.now(UTC) + timedelta(minutes=10)).isoformat(),
        "createdBy": "test",
        "comment": "maintenance of Wujiang's instances",
    }
    assert httpx.post(f"{alerting.alertmanager}/api/v2/silences", json=silence).status_code == 200
    _post_alerts(alerting, {"alertname": "ReportInsOverdue", "region": "wujiang", "severity": "ticket"})
    state = eventually(lambda: s if (s := _state(alerting, "ReportInsOverdue")).get("silencedBy") else None)
    assert state["state"] == "suppressed"
    assert alerting.robots.mentioning("/hook/wujiang", "ReportInsOverdue") == []


def test_the_bridge_takes_only_alertmanager_s_notifications(alerting):
    hook = f"{alerting.console}/alertmanager/jiashan/page"
    anonymous = httpx.post(hook, json={"version": "4"})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    operator = httpx.post(hook, json={"version": "4"}, headers={"authorization": f"Bearer {alerting.token}"})
    assert operator.status_code == 401  # a person's token, however senior, puts nothing into a duty channel
    auth = {"authorization": f"Bearer {alerting.secret}"}
    malformed = httpx.post(hook, content=b'{"version": "4", "alerts": "none"}', headers=auth)
    assert malformed.status_code == 422
    assert malformed.json()["title"].startswith("Not an Alertmanager webhook notification")
    assert httpx.post(f"{alerting.console}/alertmanager/shanghai/page", json={}, headers=auth).status_code == 404


def _digest(alerting: Alerting, day: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "yrd.cli", "digest", "--date", day, "--send", "--console", alerting.console]
    return subprocess.run(command, env=alerting.env, capture_output=True, text=True, timeout=300)


def test_the_daily_picture_reaches_robots_webhooks_and_mail_with_the_stores_exact_counts(alerting, filing_cluster):
    window = filing_cluster.client(Region.JIASHAN, Domain.FILING, token(Region.JIASHAN, Role.WINDOW_CLERK))
    court = filing_cluster.client(Region.QINGPU, Domain.FILING, token(Region.QINGPU, Role.COURT_OFFICER))
    ids = [window.post("/filings", json=filing_body(court="qingpu")).json()["id"] for _ in range(2)]
    eventually(lambda: court.post(f"/filings/{ids[0]}/accept").status_code == 200, timeout=30)
    today = zone_today().isoformat()
    operators = [filing_cluster.client(r, Domain.FILING, token(r, Role.OPERATOR)) for r in Region]

    def settled() -> dict | None:
        """The day's counts once every region's store has applied the same events (the digest reads one of
        them, and the suite's earlier filings may still be crossing the zone)."""
        seen = [operator.get("/daily", params={"date": today}).json()["counts"] for operator in operators]
        agreed = all(counts == seen[0] for counts in seen) and seen[0].get("qingpu", {}).get("accepted")
        return seen[0] if agreed else None

    counts = eventually(settled, timeout=30)
    submitted, accepted = counts["jiashan"]["submitted"], counts["qingpu"]["accepted"]
    assert submitted >= 2 and accepted >= 1

    done = _digest(alerting, today)
    assert done.returncode == 1, done.stdout + done.stderr  # one robot refused: said, and the exit says so
    assert "wecom 127.0.0.1" in done.stdout and "refused" in done.stderr
    robots = alerting.robots
    text, image = robots.on("/digest/wecom")
    assert text["msgtype"] == "text" and "mentioned_list" not in text["text"]
    assert f"filings {submitted} submitted" in text["text"]["content"]  # the store's count, exactly
    assert f"{accepted} accepted" in text["text"]["content"].split("Qingpu")[1]
    picture = base64.b64decode(image["image"]["base64"])
    assert picture.startswith(b"\x89PNG") and hashlib.md5(picture).hexdigest() == image["image"]["md5"]
    (dingtalk,) = robots.on("/digest/dingtalk")
    assert dingtalk["msgtype"] == "markdown" and f"filings {submitted} submitted" in dingtalk["markdown"]["text"]
    (hook,) = robots.on("/digest/hook")
    assert hook["date"] == today and hook["volumes"]["jiashan"]["filings_submitted"] == submitted
    (mail,) = alerting.mailbox.messages
    assert mail["To"] == "leaders@zone.test" and today in mail["Subject"]
    attached = {part.get_filename(): part.get_content_type() for part in mail.iter_attachments()}
    assert attached == {f"digest-{today}.png": "image/png", f"digest-{today}.pdf": "application/pdf"}
    assert robots.bad_signatures == []

    page = _deliveries(alerting)
    receivers = page["digests"][0]["receivers"]
    assert page["digests"][0]["date"] == today
    refusing = next(name for name in receivers if name.endswith("/refuses/wecom"))
    refused = receivers.pop(refusing)
    assert refused["ok"] is False and "refused" in refused["error"] and refused["attempts"] == 1
    assert all(entry["ok"] for entry in receivers.values()), receivers

    again = _digest(alerting, today)  # the retry: only the receiver that failed is sent it again
    assert again.returncode == 1
    assert len(robots.on("/digest/wecom")) == 2 and len(alerting.mailbox.messages) == 1
    assert len(robots.on("/refuses/wecom")) == 2
    page = _deliveries(alerting)
    assert page["digests"][0]["receivers"][refusing]["attempts"] == 2
