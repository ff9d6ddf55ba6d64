"""The daily digest, delivered: a short text summary of the day's figures, with the picture (PNG) and the
report (PDF), to the digest's channels (WeCom shows the picture; DingTalk and webhooks get the summary)
and by mail (SMTP). Each receiver's outcome for each day is kept in the data directory, so a failed one
is retried (and the others not sent it twice), and the operations page shows what failed."""

from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from services.console.channels import Digest, Mail
from services.console.notify import Bridge, DeliveryFailed
from services.console.robots import Notice

REGION_NAMES = {"jiashan": "嘉善 Jiashan", "qingpu": "青浦 Qingpu", "wujiang": "吴江 Wujiang"}


def summary(figures: dict[str, Any], day: date) -> Notice:
    """A few lines a leader reads on a phone: the day's volumes per region, what is late, the event plane."""
    volumes, sla = figures["volumes"], figures["sla"]
    lines = []
    for region in figures["regions"]:
        v, late = volumes[region], sla[region]
        lines.append(
            f"{REGION_NAMES.get(region, region)}: 立案 filings {v['filings_submitted']} submitted, "
            f"{v['filings_accepted']} accepted; 预警 alerts {v['alerts_raised']} raised, "
            f"{v['alerts_acknowledged']} acknowledged; 矫正 {v['subjects_enrolled']} enrolled; "
            f"公证 {v['certificates_issued']} certificates, {v['proofs_requested']} proof requests"
        )
        overdue = {k: n for k, n in late.items() if n}
        if overdue:
            lines.append("  late: " + ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in overdue.items()))
    plane = figures["event_plane"]
    lines.append(
        f"event plane: {plane['instances_up']}/{plane['instances']} instances up, broker "
        f"{'up' if plane['broker_up'] else 'DOWN'}, {len(figures['alerts_firing'])} alerts firing"
    )
    if figures.get("volumes_missing"):
        lines.append("not counted (instance unreachable): " + ", ".join(figures["volumes_missing"]))
    title = f"长三角示范区 YRD daily picture 每日一图 {day.isoformat()}"
    data = {"source": "yrd-digest", "date": day.isoformat(), "volumes": volumes, "sla": sla, "event_plane": plane}
    return Notice(title, lines, urgent=False, data=data)


def mail_message(mail: Mail, notice: Notice, png: Path, pdf: Path) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = notice.title
    message["From"] = mail.sender
    message["To"] = ", ".join(mail.to)
    message.set_content(notice.text())
    message.add_attachment(png.read_bytes(), maintype="image", subtype="png", filename=png.name)
    message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name)
    return message


def send_mail(mail: Mail, message: EmailMessage, timeout: float = 30.0) -> None:
    """Blocking (run in a thread): SMTP, STARTTLS or implicit TLS as configured, login if configured."""
    context = ssl.create_default_context()
    smtp_class = smtplib.SMTP_SSL if mail.security == "tls" else smtplib.SMTP
    extra = {"context": context} if mail.security == "tls" else {}
    with smtp_class(mail.host, mail.port, timeout=timeout, **extra) as smtp:
        if mail.security == "starttls":
            smtp.starttls(context=context)
        if mail.username and mail.password:
            smtp.login(mail.username, mail.password.get_secret_value())
        smtp.send_message(message)


class DigestLog:
    """Per day, per receiver: delivered or not, attempts, the last error (data_dir/digests/deliveries.json)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, dict[str, dict[str, Any]]]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def day(self, day: date) -> dict[str, dict[str, Any]]:
        return self.read().get(day.isoformat(), {})

    def record(self, day: date, receiver: str, error: str | None) -> None:
        everything = self.read()
        entry = everything.setdefault(day.isoformat(), {}).setdefault(receiver, {"attempts": 0})
        entry.update(ok=error is None, error=error, at=datetime.now(UTC).isoformat(timespec="seconds"))
        entry["attempts"] += 1
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(everything, indent=1, ensure_ascii=False))
        temporary.replace(self.path)  # never half a file, whatever stops the process

    def recent(self, days: int = 7) -> list[dict[str, Any]]:
        """The last days' outcomes, newest first, for the operations page."""
        everything = self.read()
        return [{"date": d, "receivers": everything[d]} for d in sorted(everything, reverse=True)[:days]]


def receivers(digest: Digest) -> list[str]:
    names = [channel.name for channel in digest.channels]
    return names + ([f"mail {digest.mail.host}"] if digest.mail else [])


async def deliver(
    bridge: Bridge, digest: Digest, log: DigestLog, day: date, notice: Notice, png: Path, pdf: Path
) -> dict[str, str | None]:
    """Send to each receiver the day's digest has not reached yet; answer {receiver: error or None}."""
    done = {name for name, entry in log.day(day).items() if entry.get("ok")}
    outcomes: dict[str, str | None] = {}
    picture = png.read_bytes()
    for channel in digest.channels:
        if channel.name in done:
            continue
        try:
            await bridge.send(channel, notice, image=picture)
            outcomes[channel.name] = None
        except (DeliveryFailed, ValueError) as error:
            outcomes[channel.name] = str(error)
    if digest.mail and f"mail {digest.mail.host}" not in done:
        try:
            await asyncio.to_thread(send_mail, digest.mail, mail_message(digest.mail, notice, png, pdf))
            outcomes[f"mail {digest.mail.host}"] = None
        except (OSError, smtplib.SMTPException) as error:
            outcomes[f"mail {digest.mail.host}"] = f"{type(error).__name__}: {error}"
    for name, error in outcomes.items():
        log.record(day, name, error)
        bridge.deliveries.record("digest", name, notice.title, error is None, error or "", name.split(" ", 1)[0])
    return outcomes
