"""The notification bridge's pure parts: an Alertmanager notification as a duty channel's notice, in the
group robots' documented formats (WeCom text with @all for a page, DingTalk markdown on a signed URL), the
digest's schedule and its summary, and the channels' configuration."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, date, datetime, time
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from services.console.channels import NotifyConfig
from services.console.delivery import DigestLog, summary
from services.console.robots import (
    AlertmanagerNotification,
    alert_notice,
    dingtalk_markdown,
    dingtalk_signed_url,
    robot_accepted,
    wecom_image,
    wecom_text,
)
from services.console.schedule import digest_token, due_day, next_run
from shared.contracts.regions import Region


def notification(status: str = "firing", **labels: str) -> AlertmanagerNotification:
    alert = {
        "status": status,
        "labels": {"alertname": "YrdInstanceDown", "region": "qingpu", "severity": "page", **labels},
        "annotations": {"summary": "127.0.0.1:8201 (qingpu) does not answer scrapes"},
        "startsAt": "2026-12-07T00:30:00Z",
        "endsAt": "2026-12-07T00:45:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "fingerprint": "f1",
    }
    return AlertmanagerNotification.model_validate(
        {
            "version": "4",
            "groupKey": '{}/{region="qingpu"}:{alertname="YrdInstanceDown"}',
            "status": status,
            "receiver": "qingpu-page",
            "groupLabels": {"alertname": "YrdInstanceDown", "region": "qingpu"},
            "commonLabels": alert["labels"],
            "alerts": [alert],
        }
    )


def test_a_firing_page_calls_everyone_in_beijing_time():
    notice = alert_notice(notification(), "qingpu", "page")
    assert notice.title == "【告警 FIRING】 YrdInstanceDown · qingpu · page"
    assert notice.lines == ["- 127.0.0.1:8201 (qingpu) does not answer scrapes (since 12-07 08:30 Beijing time)"]
    assert wecom_text(notice) == {"msgtype": "text", "text": {"content": notice.text(), "mentioned_list": ["@all"]}}
    assert dingtalk_markdown(notice)["at"] == {"isAtAll": True}


def test_a_resolution_or_a_ticket_calls_nobody():
    resolved = alert_notice(notification("resolved"), "qingpu", "page")
    assert resolved.title.startswith("【恢复 RESOLVED】")
    assert "resolved 12-07 08:45" in resolved.lines[0]
    assert "mentioned_list" not in wecom_text(resolved)["text"]
    assert (
        dingtalk_markdown(alert_notice(notification(severity="ticket"), "qingpu", "ticket"))["at"]["isAtAll"] is False
    )


def test_wecom_text_is_cut_to_its_2048_bytes_at_a_character():
    notice = alert_notice(notification(), "qingpu", "page")
    long = type(notice)(notice.title, ["- 超时未签收" * 400], urgent=False)
    content = wecom_text(long)["text"]["content"]
    assert len(content.encode()) <= 2048 and content.endswith("…")


def test_a_wecom_image_carries_its_md5_and_is_at_most_two_mebibytes():
    png = b"\x89PNG" + bytes(1000)
    body = wecom_image(png)
    assert base64.b64decode(body["image"]["base64"]) == png
    assert body["image"]["md5"] == hashlib.md5(png).hexdigest()
    with pytest.raises(ValueError, match="2 MiB"):
        wecom_image(bytes(2 * 1024 * 1024 + 1))


def test_dingtalk_s_signature_is_the_hmac_of_timestamp_and_secret():
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "SECret", 1765000000000)
    query = parse_qs(urlsplit(url).query)
    assert query["access_token"] == ["abc"] and query["timestamp"] == ["1765000000000"]
    expected = hmac.new(b"SECret", b"1765000000000\nSECret", hashlib.sha256).digest()
    assert base64.b64decode(query["sign"][0]) == expected


def test_a_robot_took_it_only_with_errcode_zero():
    assert robot_accepted({"errcode": 0, "errmsg": "ok"})
    assert not robot_accepted({"errcode": 310000, "errmsg": "sign not match"})
    assert not robot_accepted({})


def test_what_is_not_an_alertmanager_notification_is_refused():
    with pytest.raises(ValidationError):
        AlertmanagerNotification.model_validate({"version": "4", "status": "firing", "alerts": []})


def test_channels_are_http_urls_shown_without_their_keys_and_narrowed_by_severity():
    config = NotifyConfig.model_validate(
        {
            "regions": {
                "jiashan": [
                    {"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET"},
                    {"kind": "webhook", "url": "https://duty.example/pager", "severities": ["page"]},
                ]
            }
        }
    )
    assert [c.name for c in config.for_region(Region.JIASHAN, "ticket")] == [
        "wecom qyapi.weixin.qq.com/cgi-bin/webhook/send"
    ]
    assert len(config.for_region(Region.JIASHAN, "page")) == 2 and config.for_region(Region.QINGPU, "page") == []
    with pytest.raises(ValidationError):
        NotifyConfig.model_validate({"regions": {"jiashan": [{"kind": "wecom", "url": "file:///etc/passwd"}]}})
    assert config.digest.at == time(8, 0)


def test_the_digest_runs_at_eight_in_beijing_for_the_day_that_ended():
    before = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # 07:30 on the 8th in Beijing
    assert next_run(before, time(8, 0)) == datetime(2026, 12, 8, 0, 0, tzinfo=UTC)
    after = datetime(2026, 12, 8, 0, 0, 1, tzinfo=UTC)
    assert next_run(after, time(8, 0)) == datetime(2026, 12, 9, 0, 0, tzinfo=UTC)
    assert due_day(datetime(2026, 12, 8, 0, 0, tzinfo=UTC)) == date(2026, 12, 7)


def _figures() -> dict:
    regions = ["jiashan", "qingpu", "wujiang"]
    volume = {"filings_submitted": 0, "filings_accepted": 0, "alerts_raised": 0, "alerts_acknowledged": 0}
    volume |= {"subjects_enrolled": 0, "certificates_issued": 0, "proofs_requested": 0}
    late = {"filings_overdue": 0, "acks_missed_today": 0, "report_ins_overdue": 0, "proofs_overdue": 0}
    figures = {
        "regions": regions,
        "volumes": {r: dict(volume) for r in regions},
        "sla": {r: dict(late) for r in regions},
    }
    figures["event_plane"] = {"instances_up": 16, "instances": 16, "broker_up": True}
    figures["alerts_firing"] = []
    return figures


def test_the_digest_summary_says_each_region_s_volumes_and_only_what_is_late():
    figures = _figures()
    figures["volumes"]["jiashan"]["filings_submitted"] = 12
    figures["sla"]["qingpu"]["filings_overdue"] = 2
    notice = summary(figures, date(2026, 12, 6))
    assert notice.title == "长三角示范区 YRD daily picture 每日一图 2026-12-06"
    assert notice.lines[0].startswith("嘉善 Jiashan: 立案 filings 12 submitted, 0 accepted")
    assert "  late: filings overdue 2" in notice.lines and sum("late" in line for line in notice.lines) == 1
    assert notice.lines[-1] == "event plane: 16/16 instances up, broker up, 0 alerts firing"
    assert notice.data["volumes"]["jiashan"]["filings_submitted"] == 12


def test_the_digest_log_counts_attempts_per_receiver_and_day(tmp_path):
    log = DigestLog(tmp_path / "digests" / "deliveries.json")
    day = date(2026, 12, 6)
    log.record(day, "mail smtp.example", "SMTPServerDisconnected: gone")
    log.record(day, "mail smtp.example", None)
    log.record(day, "wecom qyapi", "the robot refused it")
    entries = log.day(day)
    assert entries["mail smtp.example"]["ok"] is True and entries["mail smtp.example"]["attempts"] == 2
    assert entries["wecom qyapi"] == {**entries["wecom qyapi"], "ok": False, "attempts": 1}
    assert log.recent()[0]["date"] == "2026-12-06"


def test_a_failed_digest_delivery_is_retried_until_it_arrives_or_the_attempts_are_spent(tmp_path):
    import asyncio

    from services.console.schedule import attempt

    config = NotifyConfig.model_validate(
        {
            "digest": {
                "channels": [{"kind": "webhook", "url": "http://127.0.0.1:9/a"}],
                "retry_minutes": 0.0005,
                "attempts": 3,
            }
        }
    )
    log, day, outcomes = DigestLog(tmp_path / "d.json"), date(2026, 12, 6), ["refused", "refused", None]

    async def job(when: date) -> None:  # a receiver that takes it at the third try
        log.record(when, "webhook 127.0.0.1:9/a", outcomes.pop(0))

    asyncio.run(attempt(job, config, log, day))
    assert log.day(day)["webhook 127.0.0.1:9/a"] == {**log.day(day)["webhook 127.0.0.1:9/a"], "ok": True, "attempts": 3}

    never, broken = DigestLog(tmp_path / "e.json"), []

    async def failing(when: date) -> None:  # the page cannot be drawn at all
        broken.append(when)
        raise RuntimeError("chromium is missing")

    asyncio.run(attempt(failing, config, never, day))
    entry = never.day(day)["webhook 127.0.0.1:9/a"]
    assert len(broken) == 3 and entry["attempts"] == 3 and entry["error"].startswith("not drawn: RuntimeError")


def test_alertmanager_s_retry_reaches_only_the_channel_that_failed(tmp_path):
    """Two channels, one refusing at first: the bridge says which failed (Alertmanager retries), and the
    retry is delivered to that one only. The robots are a local HTTP server."""
    import asyncio
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import httpx

    from services.console.notify import Bridge

    received: list[str] = []
    refusing = {"/b": 1}  # /b refuses its first message

    class Robot(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            received.append(self.path.split("?")[0])
            refused = refusing.get(self.path.split("?")[0], 0) > 0
            if refused:
                refusing["/b"] -= 1
            body = json.dumps({"errcode": 93000 if refused else 0, "errmsg": "x"}).encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    config = NotifyConfig.model_validate(
        {
            "regions": {
                "qingpu": [{"kind": "wecom", "url": f"{base}/a?key=1"}, {"kind": "wecom", "url": f"{base}/b?key=2"}]
            }
        }
    )

    async def twice() -> tuple[list[str], list[str], Bridge]:
        async with httpx.AsyncClient() as client:
            bridge = Bridge(config, client)
            first = await bridge.alert(Region.QINGPU, "page", notification())
            retry = await bridge.alert(Region.QINGPU, "page", notification())
            return first, retry, bridge

    try:
        first, retry, bridge = asyncio.run(twice())
    finally:
        server.shutdown()
    assert first == [f"wecom 127.0.0.1:{server.server_port}/b"] and retry == []
    assert received == ["/a", "/b", "/b"]
    outcomes = [(d["channel"].rsplit("/", 1)[1], d["ok"]) for d in bridge.deliveries.recent()]
    assert outcomes == [("b", True), ("b", False), ("a", True)]  # newest first
    assert "the robot refused it" in bridge.deliveries.failures()[0]["detail"]


def test_a_restart_makes_this_morning_s_missed_run_or_finishes_a_day_begun(tmp_path):
    from services.console.schedule import catch_up

    log, eight = DigestLog(tmp_path / "d.json"), time(8, 0)
    assert catch_up(datetime(2026, 12, 8, 1, 0, tzinfo=UTC), eight, log) == date(2026, 12, 7)  # 09:00 Beijing
    assert catch_up(datetime(2026, 12, 8, 9, 0, tzinfo=UTC), eight, log) is None  # 17:00: a new system's first start
    log.record(date(2026, 12, 7), "mail smtp.example", "SMTPServerDisconnected: gone")
    assert catch_up(datetime(2026, 12, 8, 9, 0, tzinfo=UTC), eight, log) == date(2026, 12, 7)  # begun, not done


def test_a_development_zone_whose_provider_gives_no_token_signs_the_digest_a_development_one(tmp_path):
    from shared.adapters.idp.client_token import NoToken
    from shared.adapters.tokens import TrustList, init_dev_keys, private_key_path, verify
    from shared.core.settings import Settings
    from shared.rules.policy import Role

    init_dev_keys(tmp_path)  # development keys, and a trust file naming providers that were never started
    token = digest_token(Settings(keys_dir=tmp_path), idp_dir=tmp_path / "idp")  # no client secret made
    principal = verify(token, TrustList.load(tmp_path / "trust.json"))
    assert (principal.region, principal.roles) == (Region.QINGPU, frozenset({Role.OPERATOR}))
    private_key_path(tmp_path, Region.QINGPU).unlink()  # a zone without development keys: the refusal stands
    with pytest.raises(NoToken):
        digest_token(Settings(keys_dir=tmp_path), idp_dir=tmp_path / "idp")
