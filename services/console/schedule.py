"""The daily digest on a schedule, run by the operations process: at the configured time (08:00 Beijing
time by default) the picture of the day that ended is drawn from the operations page and delivered;
receivers that failed are retried every few minutes, a set number of times, and a restart picks up a day
left undelivered. `yrd digest --date D --send` runs the same job at once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import httpx

from services.console import channels
from services.console.channels import NotifyConfig
from services.console.delivery import DigestLog, deliver, receivers, summary
from services.console.notify import Bridge
from shared.adapters.idp.client_token import NoToken, client_token
from shared.adapters.idp.provider import IDP_DIR
from shared.adapters.tokens import load_private_key, mint, private_key_path
from shared.contracts.regions import ZONE_TZ, Region
from shared.core.settings import Settings
from shared.rules.policy import Role

log = logging.getLogger("yrd.digest")
CATCH_UP_WITHIN = timedelta(hours=6)


def next_run(now: datetime, at: time) -> datetime:
    """The next moment the clock in Beijing shows `at`."""
    local = now.astimezone(ZONE_TZ)
    candidate = datetime.combine(local.date(), at, ZONE_TZ)
    return candidate if candidate > local else datetime.combine(local.date() + timedelta(days=1), at, ZONE_TZ)


def due_day(moment: datetime) -> date:
    """The day a run at `moment` reports: the one that ended before it (Beijing time)."""
    return moment.astimezone(ZONE_TZ).date() - timedelta(days=1)


async def run_digest(
    day: date, console: str, token: str, config: NotifyConfig, bridge: Bridge, digests: DigestLog, out: Path
) -> dict[str, str | None]:
    """Draw the day (PNG, PDF), read its figures from the same page, deliver; answer each receiver's error."""
    from services.console.digest import render  # selenium: the digest extra, needed only when drawing

    png, pdf = await asyncio.to_thread(render, console, token, day, out)
    async with httpx.AsyncClient(base_url=console, timeout=60) as client:
        (await client.post("/login", json={"token": token})).raise_for_status()  # a script's session
        answer = await client.get("/api/overview", params={"date": day.isoformat()})
        answer.raise_for_status()
    return await deliver(bridge, config.digest, digests, day, summary(answer.json(), day), png, pdf)


def pending(config: NotifyConfig, digests: DigestLog, day: date) -> list[str]:
    """The receivers the day's digest has not reached and may still be tried for."""
    entries = digests.day(day)
    return [
        name
        for name in receivers(config.digest)
        if not entries.get(name, {}).get("ok") and entries.get(name, {}).get("attempts", 0) < config.digest.attempts
    ]


async def attempt(
    job: Callable[[date], Awaitable[object]], config: NotifyConfig, digests: DigestLog, day: date
) -> None:
    """Run the day's job until every receiver has it or the attempts are spent, `retry_minutes` apart."""
    while pending(config, digests, day):
        try:
            await job(day)
        except Exception as error:  # the page or the browser failed: every pending receiver failed
            log.warning("digest of %s could not be drawn: %s", day, error)
            for name in pending(config, digests, day):
                digests.record(day, name, f"not drawn: {type(error).__name__}: {error}")
        if pending(config, digests, day):
            await asyncio.sleep(config.digest.retry_minutes * 60)


def catch_up(now: datetime, at: time, digests: DigestLog) -> date | None:
    """At start-up, the day whose run has passed and should still be made: one begun and left undelivered,
    or this morning's, missed while the process was down (not on the first start of a new system in the
    afternoon: nobody waits for that one any more)."""
    last_run = next_run(now, at) - timedelta(days=1)
    if digests.day(due_day(last_run)) or now - last_run < CATCH_UP_WITHIN:
        return due_day(last_run)
    return None


async def every_day(job: Callable[[date], Awaitable[object]], config: NotifyConfig, digests: DigestLog) -> None:
    """Forever: catch up yesterday's digest if this morning's run is past and it is undelivered, then wait
    for each run."""
    if not config.digest.enabled or not receivers(config.digest):
        return
    if (missed := catch_up(datetime.now(UTC), config.digest.at, digests)) is not None:
        await attempt(job, config, digests, missed)
    while True:
        moment = next_run(datetime.now(UTC), config.digest.at)
        await asyncio.sleep(max((moment - datetime.now(UTC)).total_seconds(), 0))
        await attempt(job, config, digests, due_day(moment))


DIGEST_CLIENT = "yrd-digest"  # Qingpu's realm: a service account with the operator role (idp/realms.py)


def digest_token(settings: Settings, idp_dir: Path = IDP_DIR) -> str:
    """The digest's access token: the `yrd-digest` client's, by client credentials at Qingpu's identity
    provider. A development zone that cannot have one (its Keycloak not started, no secret made yet) and holds
    Qingpu's development signing key signs a short-lived development token with it instead, as `yrd token`
    does, and says so; a zone without that key (production) gets the provider's refusal."""
    try:
        return client_token(settings.resolved_trust_file, Region.QINGPU, DIGEST_CLIENT, idp_dir=idp_dir)
    except NoToken as refused:
        if not private_key_path(settings.keys_dir, Region.QINGPU).exists():
            raise
        log.warning("the digest signs in with a development token: %s", refused)
    key = load_private_key(settings.keys_dir, Region.QINGPU)
    return mint(key, Region.QINGPU, "digest@zone", [Role.OPERATOR], ttl=timedelta(minutes=10))


def digest_job(
    settings: Settings, config: NotifyConfig, bridge: Bridge, digests: DigestLog, console: str | None = None
) -> Callable[[date], Awaitable[dict[str, str | None]]]:
    """The job: an operator token of the zone's operations (`digest_token`), the page of this port base's
    operations process, the pictures kept under the data directory."""

    async def job(day: date) -> dict[str, str | None]:
        delivered = {name for name, entry in digests.day(day).items() if entry.get("ok")}
        if set(receivers(config.digest)) <= delivered:
            return {}  # every receiver has it (a timer's retry run, say): nothing is drawn again
        token = await asyncio.to_thread(digest_token, settings)
        url = console or f"http://127.0.0.1:{settings.port_base}"
        return await run_digest(day, url, token, config, bridge, digests, settings.data_dir / "digests")

    return job


def digest_log(settings: Settings) -> DigestLog:
    return DigestLog(settings.data_dir / "digests" / "deliveries.json")


def lifespan_of(job: Callable[[date], Awaitable[object]], config: NotifyConfig, digests: DigestLog):
    """The operations process's lifespan: the schedule runs beside the page, and stops with it."""

    @asynccontextmanager
    async def lifespan(app: object) -> AsyncIterator[None]:
        task = asyncio.create_task(every_day(job, config, digests))
        try:
            yield
        finally:
            task.cancel()

    return lifespan


def send_now(settings: Settings, day: date, console: str | None = None) -> dict[str, str | None]:
    """`yrd digest --date D --send`: the job once, now, to every receiver the day has not reached."""
    config = channels.load()

    async def once() -> dict[str, str | None]:
        async with httpx.AsyncClient(timeout=10.0) as client:
            return await digest_job(settings, config, Bridge(config, client), digest_log(settings), console)(day)

    return asyncio.run(once())
