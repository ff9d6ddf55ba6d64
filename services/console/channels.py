"""Where notifications go: each region's duty channels (group robots, webhooks) and the daily digest's
receivers (robots, webhooks, mail). Robot URLs carry their keys and DingTalk robots a signing secret, so
this is configuration kept beside the keys (YRD_NOTIFY_CONFIG, .cache/notify.yml by default, readable by
this user only), never in git; deploy/alertmanager/notify.example.yml shows the format."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.contracts.regions import Region
from shared.core.settings import ROOT

Severity = Literal["page", "ticket"]


class Channel(BaseModel):
    """One group robot or webhook. `severities` narrows what a region's channel hears (a pager robot may
    take pages only)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["wecom", "dingtalk", "webhook"]
    url: str
    secret: SecretStr | None = None  # DingTalk's "加签" secret (SEC…)
    severities: set[Severity] = Field(default_factory=lambda: {"page", "ticket"})

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise ValueError("a channel's url is an http(s) URL")
        return url

    @property
    def name(self) -> str:
        """How the operations page names it: kind, host and path, never the key in the query."""
        parts = urlsplit(self.url)
        return f"{self.kind} {parts.netloc}{parts.path}"


class Mail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str
    port: int = 25
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password: SecretStr | None = None
    sender: str
    to: list[str] = Field(min_length=1)


class Digest(BaseModel):
    """The daily picture: sent at `at` (Beijing time) for the day that just ended; failed deliveries are
    retried every `retry_minutes` until `attempts` have been made."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    at: time = time(8, 0)
    channels: list[Channel] = Field(default_factory=list)
    mail: Mail | None = None
    retry_minutes: float = Field(default=10, gt=0)
    attempts: int = Field(default=6, ge=1)


class NotifyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regions: dict[Region, list[Channel]] = Field(default_factory=dict)
    digest: Digest = Field(default_factory=Digest)

    def for_region(self, region: Region, severity: Severity) -> list[Channel]:
        return [c for c in self.regions.get(region, []) if severity in c.severities]


class NotifySettings(BaseSettings):
    """YRD_NOTIFY_CONFIG: the channels file."""

    model_config = SettingsConfigDict(env_prefix="YRD_", extra="ignore")

    notify_config: Path = ROOT / ".cache" / "notify.yml"


def load(path: Path | None = None) -> NotifyConfig:
    """The configured channels; none (every notification recorded as undelivered) without the file."""
    path = path or NotifySettings().notify_config
    if not path.exists():
        return NotifyConfig()
    return NotifyConfig.model_validate(yaml.safe_load(path.read_text()) or {})
