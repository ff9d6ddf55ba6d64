"""The contract says what the server does: schemathesis, with every check it has and 15 examples an
operation (examples, coverage, fuzzing and stateful phases), against each service's app in this process.
A schema-valid request refused, a schema-violating one accepted, an answer the document does not describe,
a 405 without its `Allow`: each fails the test, unless docs/api.md lists it under "What the schema cannot
say" (a 422 naming a field the table lists for that operation; a bulk route's per-line answers)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import orjson
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

import tests.e2e.st_hooks  # noqa: F401  (registers the NDJSON (de)serialisers the bulk routes need)
from shared.contracts.regions import SERVICES, Region
from shared.rules.policy import Role
from tests.instances import token

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SECTION = "## What the schema cannot say"
EXAMPLES = 15


@dataclass(frozen=True)
class Beyond:
    """One row of the table: the operation (a glob over `METHOD /path`) and the fields (globs) it names."""

    operation: str
    fields: tuple[str, ...]

    def covers(self, operation: str, field: str) -> bool:
        return fnmatchcase(operation, self.operation) and any(fnmatchcase(field, f) for f in self.fields)


def beyond_the_schema() -> list[Beyond]:
    text = API_DOC.read_text()
    assert SECTION in text, f"docs/api.md has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            operation = cells[0].strip("`")
            fields = tuple(re.findall(r"`([^`]+)`", cells[1])) or (cells[1],)
            rows.append(Beyond(operation, fields))
    assert rows, "the section's table lists nothing"
    return rows


BEYOND = beyond_the_schema()


def listed(operation: str, field: str) -> bool:
    return any(row.covers(operation, field) for row in BEYOND)


def explained(check: str, operation: str, status: int | None, body: bytes) -> bool:
    """Whether docs/api.md lists the finding as beyond a schema."""
    if check == "positive_data_acceptance" and status == 422:
        errors = orjson.loads(body).get("errors") or []
        return bool(errors) and all(listed(operation, e["field"].removeprefix("query.")) for e in errors)
    if check == "negative_data_rejection" and status == 200 and listed(operation, "each line"):
        lines = [orjson.loads(line) for line in body.splitlines() if line.strip()]
        return bool(lines) and all(line["status"] >= 400 for line in lines)
    return False


def without_lifespan(app: Any) -> Any:
    """The app as schemathesis's client sees it, its lifespan answered here: starting it would start the
    instance's Kafka workers, which this tier leaves unstarted (tests/inmemory.py)."""

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            return await app(scope, receive, send)
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return None

    return asgi


def findings(app: Any) -> Iterator[tuple[str, str, str, int | None, bytes]]:
    """(check, operation, message, status, body) of every failed check of one run; errors raise."""
    every_role = token(Region.QINGPU, *[r for r in Role if r is not Role.OPERATOR], subject="contract")
    config = SchemathesisConfig.from_dict(
        {
            "headers": {"Authorization": f"Bearer {every_role}", "X-Purpose": "supervision"},
            "checks": {"enabled": True},
            "generation": {"max-examples": EXAMPLES, "deterministic": True},
            "seed": 6,
        }
    )
    # Readiness, and the gauges a scrape refreshes, ask Kafka, which this tier has none of: a 503 after the
    # probe's wait. The e2e fuzz (tests/e2e/test_fuzz.py) tries them against running instances.
    schema = schemathesis.openapi.from_asgi("/openapi.json", without_lifespan(app), config=config)
    schema = schema.exclude(path_regex="^/(readyz|metrics)$")
    cases = 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.NonFatalError | events.FatalError):
            raise AssertionError(f"schemathesis could not test: {getattr(event, 'label', '')} {event}")
        if not isinstance(event, events.ScenarioFinished):
            continue
        cases += len(event.recorder.cases)
        for case_id, checks in event.recorder.checks.items():
            interaction = event.recorder.interactions.get(case_id)
            response = interaction.response if interaction else None
            for check in checks:
                if check.failure_info is not None:
                    failure = check.failure_info.failure
                    status = response.status_code if response else None
                    body = (response.content or b"") if response else b""
                    yield check.name, failure.operation or "", failure.message, status, body
    assert cases > 0, "schemathesis generated no request"


@pytest.mark.parametrize("service", list(SERVICES), ids=lambda s: s.value)
def test_every_request_the_schema_allows_is_accepted_and_every_answer_is_documented(zone_of, service):
    app = zone_of(service).apps[Region.QINGPU]
    unexplained = [
        f"{operation} [{check}] {message} -> {status} {body[:300]!r}"
        for check, operation, message, status, body in findings(app)
        if not explained(check, operation, status, body)
    ]
    assert not unexplained, "\n".join(unexplained)


def test_the_table_is_read_as_the_schema_checks_use_it():
    assert listed("GET /v1/filings", "party_id_number")
    assert listed("POST /v1/subjects", "birth_date")
    assert listed("POST /v1/alerts/batch", "each line")
    assert not listed("POST /v1/subjects", "name")
    assert not listed("POST /v1/filings", "cursor")
