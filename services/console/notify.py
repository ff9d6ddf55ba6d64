"""The notification bridge, run by the operations process: delivers notices to the configured channels
(WeCom and DingTalk group robots, JSON webhooks), records every delivery for the operations page, and
counts them for Prometheus. Alertmanager retries a notification the bridge answered with an error; a
channel that already took it is not sent it again."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import httpx
from prometheus_client import Counter

from services.console.channels import Channel, NotifyConfig, Severity
from services.console.robots import (
    AlertmanagerNotification,
    Notice,
    alert_notice,
    dingtalk_markdown,
    dingtalk_signed_url,
    generic_json,
    robot_accepted,
    wecom_image,
    wecom_text,
)
from shared.contracts.regions import ZONE_TZ, Region

DELIVERIES = Counter(
    "yrd_notifications_total", "Notices delivered to duty channels and digest receivers", ["what", "kind", "outcome"]
)
RESENT_WITHIN = 6 * 3600  # seconds a delivered notification is remembered, against Alertmanager's retries


class DeliveryFailed(Exception):
    """A channel did not take a notice (unreachable, an HTTP error, or a robot's errcode)."""


@dataclass(frozen=True)
class Delivery:
    at: str
    what: str  # "alert" or "digest"
    channel: str
    subject: str
    ok: bool
    detail: str


class Deliveries:
    """The latest deliveries, newest first, as the operations page lists them."""

    def __init__(self, size: int = 200) -> None:
        self._recent: deque[Delivery] = deque(maxlen=size)

    def record(self, what: str, channel: str, subject: str, ok: bool, detail: str = "", kind: str = "") -> None:
        at = datetime.now(ZONE_TZ).isoformat(timespec="seconds")  # the zone's clock, as the page shows it
        self._recent.appendleft(Delivery(at, what, channel, subject, ok, detail))
        DELIVERIES.labels(what, kind or channel.split(" ", 1)[0], "delivered" if ok else "failed").inc()

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        return [asdict(d) for d in list(self._recent)[:limit]]

    def failures(self, limit: int = 20) -> list[dict[str, Any]]:
        return [asdict(d) for d in self._recent if not d.ok][:limit]


class Bridge:
    def __init__(self, config: NotifyConfig, client: httpx.AsyncClient, deliveries: Deliveries | None = None):
        self.config = config
        self.client = client
        self.deliveries = deliveries or Deliveries()
        self._sent: dict[tuple, float] = {}

    async def send(self, channel: Channel, notice: Notice, image: bytes | None = None) -> None:
        """One notice to one channel (for the digest, its picture too where the channel shows images)."""
        bodies: list[dict[str, Any]]
        url = channel.url
        if channel.kind == "wecom":
            bodies = [wecom_text(notice)] + ([wecom_image(image)] if image else [])
        elif channel.kind == "dingtalk":
            bodies = [dingtalk_markdown(notice)]
        else:
            bodies = [generic_json(notice)]
        for body in bodies:
            if channel.kind == "dingtalk" and channel.secret is not None:
                url = dingtalk_signed_url(channel.url, channel.secret.get_secret_value(), int(time.time() * 1000))
            await self._post(channel, url, body)

    async def _post(self, channel: Channel, url: str, body: dict[str, Any]) -> None:
        try:
            answer = await self.client.post(url, json=body)
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"{type(error).__name__}: {error}") from None
        if answer.status_code // 100 != 2:
            raise DeliveryFailed(f"HTTP {answer.status_code}")
        if channel.kind in ("wecom", "dingtalk"):
            try:
                taken = robot_accepted(answer.json())
            except ValueError:
                taken = False
            if not taken:
                raise DeliveryFailed(f"the robot refused it: {answer.text[:200]}")

    async def alert(self, region: Region, severity: Severity, note: AlertmanagerNotification) -> list[str]:
        """Deliver one Alertmanager notification to `region`'s channels for `severity`; answer the channels
        that failed (Alertmanager is told, and retries)."""
        notice = alert_notice(note, region.value, severity)
        channels = self.config.for_region(region, severity)
        if not channels:
            self.deliveries.record("alert", f"{region.value} (no channel)", notice.title, False, "none configured")
            return []
        failed = []
        now = time.monotonic()
        self._sent = {key: until for key, until in self._sent.items() if until > now}
        for channel in channels:
            key = (channel.name, region, severity, note.groupKey, note.status, _alerts_key(note))
            if key in self._sent:
                continue
            try:
                await self.send(channel, notice)
            except DeliveryFailed as error:
                self.deliveries.record("alert", channel.name, notice.title, False, str(error), channel.kind)
                failed.append(channel.name)
                continue
            self._sent[key] = now + RESENT_WITHIN
            self.deliveries.record("alert", channel.name, notice.title, True, kind=channel.kind)
        return failed


def _alerts_key(note: AlertmanagerNotification) -> tuple:
    return tuple(sorted((a.fingerprint, a.status, a.startsAt.isoformat(), str(a.endsAt)) for a in note.alerts))
