"""The bridge's HTTP side in the operations process: Alertmanager posts each notification to
`/alertmanager/{region}/{severity}` (its receivers in deploy/alertmanager/alertmanager.yml) with the
bridge's own secret, and the operations page reads the latest deliveries, failures first, at `/api/deliveries`.

Only Alertmanager may post: it presents a random secret kept beside the zone's keys (mode 0600), not a
person's token, so no operator or supervisor of any region can put a page into a duty channel."""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from services.console.channels import Severity
from services.console.notify import Bridge
from services.console.robots import AlertmanagerNotification
from shared.contracts.regions import Region

PROBLEM = "application/problem+json"
MAX_BODY = 1024 * 1024


def problem(status: int, title: str, detail: Any = None, **headers: str) -> JSONResponse:
    body = {"title": title, "status": status} | ({"detail": detail} if detail is not None else {})
    return JSONResponse(body, status, headers=headers or None, media_type=PROBLEM)


SECRET_FILE = "alertmanager.secret"


def bridge_secret(keys_dir: Path) -> Path:
    """The file holding the secret Alertmanager posts with, made on first use, readable by this user only.
    Written aside and linked into place, so the launcher and the operations process starting together agree
    on one secret, and neither ever reads a file not yet written."""
    path = keys_dir / SECRET_FILE
    if path.exists():
        return path
    keys_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=keys_dir, prefix=".alertmanager-") as aside:  # mode 0600
        aside.write(secrets.token_urlsafe(32))
        aside.flush()
        with contextlib.suppress(FileExistsError):  # the other process made it first: its secret stands
            os.link(aside.name, path)
    return path


def router(
    bridge: Bridge,
    authorized: Callable[[str | None], bool],
    digests: Callable[[], dict] | None = None,
    keys_dir: Path | None = None,
):
    """`authorized(cookie)`: the cookie names a console session (an operator's or a supervisor's): the deliveries.
    Alertmanager presents the bridge's secret, from `keys_dir`."""
    routes = APIRouter(include_in_schema=False)

    secret = bridge_secret(keys_dir).read_text().strip().encode() if keys_dir is not None else None

    def from_alertmanager(bearer: str) -> bool:
        return secret is not None and bool(bearer) and hmac.compare_digest(bearer.encode(), secret)

    @routes.post("/alertmanager/{region}/{severity}")
    async def alertmanager(region: str, severity: str, request: Request) -> Response:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not from_alertmanager(bearer):
            return problem(401, "Only Alertmanager posts here, with the bridge's secret")
        try:
            where, how = Region(region), _severity(severity)
        except ValueError:
            return problem(
                404, f"no duty channel {region}/{severity}: regions {[r.value for r in Region]}, page or ticket"
            )
        body = await request.body()
        if len(body) > MAX_BODY:
            return problem(413, "A notification is at most 1 MiB")
        try:
            note = AlertmanagerNotification.model_validate_json(body)
        except ValidationError as error:
            return problem(422, "Not an Alertmanager webhook notification (version 4)", error.errors(include_url=False))
        failed = await bridge.alert(where, how, note)
        if failed:  # Alertmanager retries; the channels that took it are not sent it twice
            return problem(502, "Some duty channels did not take the notification", failed, **{"retry-after": "30"})
        return JSONResponse({"delivered": True})

    @routes.get("/api/deliveries")
    async def deliveries(yrd_console: Annotated[str | None, Cookie()] = None) -> Response:
        if not authorized(yrd_console):
            return problem(401, "Log in with an operator or supervisor token")
        answer = {"failures": bridge.deliveries.failures(), "recent": bridge.deliveries.recent()}
        if digests is not None:
            answer["digests"] = digests()
        return JSONResponse(answer)

    return routes


def _severity(text: str) -> Severity:
    if text not in ("page", "ticket"):
        raise ValueError(text)
    return text  # type: ignore[return-value]
