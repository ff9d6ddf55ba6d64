"""What the duty channels receive, pure (no I/O): an Alertmanager notification (its webhook JSON, version 4)
as one short notice, and that notice in the documented formats of the group robots Chinese agencies use —
WeCom (企业微信群机器人: `text`, `@all` for a page; `image` for the digest) and DingTalk (钉钉自定义机器人:
`markdown`, `isAtAll` for a page, the URL signed with timestamp + HMAC-SHA256 of the secret) — and as the
generic JSON webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote_plus

from pydantic import BaseModel, Field

from shared.contracts.regions import ZONE_TZ

WECOM_TEXT_BYTES = 2048  # WeCom refuses a longer text message
WECOM_IMAGE_BYTES = 2 * 1024 * 1024  # and a larger image


class AlertmanagerAlert(BaseModel):
    """One alert of a notification (field names as Alertmanager sends them)."""

    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: datetime
    endsAt: datetime | None = None
    fingerprint: str = ""


class AlertmanagerNotification(BaseModel):
    """Alertmanager's webhook body (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config)."""

    version: Literal["4"]
    groupKey: str = Field(max_length=4096)
    status: Literal["firing", "resolved"]
    receiver: str
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    alerts: list[AlertmanagerAlert] = Field(min_length=1, max_length=1000)
    truncatedAlerts: int = 0


@dataclass(frozen=True)
class Notice:
    """One message to a duty channel: a title, a few lines, and whether it pages everyone."""

    title: str
    lines: list[str]
    urgent: bool
    data: dict[str, Any] = field(default_factory=dict)  # what the generic webhook carries besides

    def text(self) -> str:
        return "\n".join([self.title, *self.lines])


def _local(moment: datetime) -> str:
    return moment.astimezone(ZONE_TZ).strftime("%m-%d %H:%M")


def alert_notice(note: AlertmanagerNotification, region: str, severity: str) -> Notice:
    """The notification for `region`'s duty channel: what fires (or is resolved), where, since when."""
    firing = [a for a in note.alerts if a.status == "firing"]
    resolved = [a for a in note.alerts if a.status == "resolved"]
    name = note.commonLabels.get("alertname") or note.groupLabels.get("alertname") or "alerts"
    head = "【告警 FIRING】" if note.status == "firing" else "【恢复 RESOLVED】"
    title = f"{head} {name} · {region} · {severity}"
    lines = []
    for alert in firing:
        summary = alert.annotations.get("summary") or alert.labels.get("alertname", "")
        lines.append(f"- {summary} (since {_local(alert.startsAt)} Beijing time)")
    for alert in resolved:
        summary = alert.annotations.get("summary") or alert.labels.get("alertname", "")
        ended = f", resolved {_local(alert.endsAt)}" if alert.endsAt else ""
        lines.append(f"- resolved: {summary} (since {_local(alert.startsAt)}{ended})")
    if note.truncatedAlerts:
        lines.append(f"- and {note.truncatedAlerts} more")
    data = {
        "source": "yrd-alertmanager",
        "region": region,
        "severity": severity,
        "status": note.status,
        "group": note.groupLabels,
        "alerts": [a.model_dump(mode="json") for a in note.alerts],
    }
    return Notice(title, lines, urgent=severity == "page" and note.status == "firing", data=data)


def _clip(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes, cut at a character."""
    raw = text.encode()
    return text if len(raw) <= limit else raw[: limit - 3].decode(errors="ignore") + "…"


def wecom_text(notice: Notice) -> dict[str, Any]:
    text: dict[str, Any] = {"content": _clip(notice.text(), WECOM_TEXT_BYTES)}
    if notice.urgent:
        text["mentioned_list"] = ["@all"]
    return {"msgtype": "text", "text": text}


def wecom_image(png: bytes) -> dict[str, Any]:
    if len(png) > WECOM_IMAGE_BYTES:
        raise ValueError(f"WeCom takes images up to 2 MiB; this one is {len(png)} bytes")
    return {
        "msgtype": "image",
        "image": {"base64": base64.b64encode(png).decode(), "md5": hashlib.md5(png).hexdigest()},
    }


def dingtalk_markdown(notice: Notice) -> dict[str, Any]:
    body = "\n\n".join([f"#### {notice.title}", *notice.lines])
    return {
        "msgtype": "markdown",
        "markdown": {"title": notice.title[:64], "text": body},
        "at": {"isAtAll": notice.urgent},
    }


def dingtalk_signed_url(url: str, secret: str, now_ms: int) -> str:
    """DingTalk's "加签": timestamp (ms) and sign = urlencode(base64(HMAC-SHA256(secret, f"{ts}\\n{secret}")))."""
    digest = hmac.new(secret.encode(), f"{now_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={now_ms}&sign={sign}"


def generic_json(notice: Notice) -> dict[str, Any]:
    return {"title": notice.title, "text": notice.text(), "urgent": notice.urgent, **notice.data}


def robot_accepted(answer: dict[str, Any]) -> bool:
    """WeCom and DingTalk answer HTTP 200 with {"errcode": 0, "errmsg": "ok"} only when they took it."""
    return answer.get("errcode") == 0
