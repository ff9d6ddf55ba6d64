"""The desk's calls to its region's instances: always with the signed-in person's own access token (the
desk holds no token of its own), `X-Purpose` when the person chose one, an `Idempotency-Key` per form
submission. Answers are kept as they come: the body and, for a refusal, the problem+json's title, detail,
per-field errors and `current_status` for the page to show in words."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.contracts.regions import Domain, Region, port_of

PAGE = 100  # the API's largest page


@dataclass
class Answer:
    status: int
    body: Any = None
    problem: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def field_errors(self) -> dict[str, str]:
        """`errors[].field` -> its message, the field named by its last path part (`parties.0.id_number`)."""
        found: dict[str, str] = {}
        for error in self.problem.get("errors") or []:
            name = str(error.get("field") or "").split(".")[-1] or "_"
            found.setdefault(name, str(error.get("message") or error.get("msg") or error.get("detail") or ""))
        return found


@dataclass
class Upstream:
    """One person's view of the region's instances, for one request."""

    http: httpx.AsyncClient
    region: Region
    port_base: int
    token: str

    def url(self, domain: Domain, path: str) -> str:
        return f"http://127.0.0.1:{port_of(self.region, domain, self.port_base)}{path}"

    def _headers(self, purpose: str | None, key: str | None) -> dict[str, str]:
        headers = {"authorization": f"Bearer {self.token}", "accept": "application/json"}
        if purpose:
            headers["x-purpose"] = purpose
        if key:
            headers["idempotency-key"] = key
        return headers

    async def call(
        self,
        method: str,
        domain: Domain,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        purpose: str | None = None,
        key: str | None = None,
    ) -> Answer:
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            answer = await self.http.request(
                method, self.url(domain, path), params=clean, json=body, headers=self._headers(purpose, key)
            )
        except httpx.HTTPError:
            return Answer(503, problem={"title": "unreachable", "status": 503})
        try:
            data = answer.json() if answer.content else None
        except ValueError:
            data = None
        if answer.is_success:
            return Answer(answer.status_code, data)
        return Answer(answer.status_code, problem=data if isinstance(data, dict) else {"status": answer.status_code})

    async def get(self, domain: Domain, path: str, **kwargs: Any) -> Answer:
        return await self.call("GET", domain, path, **kwargs)

    async def items(
        self, domain: Domain, path: str, params: dict[str, Any], purpose: str | None = None, most: int = 1000
    ) -> tuple[list[dict[str, Any]], bool, Answer | None]:
        """Up to `most` items of a list, following cursors; whether more were left, and a refusal if any."""
        found: list[dict[str, Any]] = []
        async for page in self.pages(domain, path, params, purpose):
            if not page.ok:
                return found, False, page
            found.extend(page.body["items"])
            if len(found) >= most:
                return found[:most], bool(page.body.get("next_cursor")) or len(found) > most, None
        return found, False, None

    async def pages(
        self, domain: Domain, path: str, params: dict[str, Any], purpose: str | None = None
    ) -> AsyncIterator[Answer]:
        """Every page of a list, one answer each (an export streams them as they come)."""
        cursor = None
        while True:
            answer = await self.get(domain, path, params={**params, "limit": PAGE, "cursor": cursor}, purpose=purpose)
            yield answer
            if not answer.ok or not (cursor := answer.body.get("next_cursor")):
                return
