"""The AsyncAPI 3.0 document is generated from the code's declarations: valid against the official
AsyncAPI 3.0 schema (@asyncapi/specs, pinned in tests/asyncapi), every reference resolves, every declared
event type appears and nothing undeclared does, its channels are exactly the topics the zone provisions,
the committed docs/asyncapi.yaml is the code's, and each instance serves its own service's part."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
import pytest
import yaml
from starlette.testclient import TestClient

from shared.contracts import REGISTRY
from shared.contracts.asyncapi import document
from shared.contracts.commands import COMMANDS, RESULTS
from shared.contracts.regions import SERVICES, Domain, Region
from shared.contracts.topics import catalogue
from shared.core.settings import ROOT

SPEC = ROOT / "tests" / "asyncapi" / "node_modules" / "@asyncapi" / "specs" / "schemas" / "3.0.0.json"


@pytest.fixture(scope="module")
def official() -> jsonschema_rs.Validator:
    assert SPEC.exists(), "the AsyncAPI 3.0 schema is missing: `make setup` installs tests/asyncapi"
    return jsonschema_rs.validator_for(orjson.loads(SPEC.read_bytes()))


def _valid(validator: jsonschema_rs.Validator, doc: dict[str, Any]) -> None:
    errors = [f"{list(e.instance_path)}: {e.message[:200]}" for e in validator.iter_errors(doc)]
    assert not errors, errors[:5]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolves(doc: dict[str, Any], ref: str) -> bool:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _messages(doc: dict[str, Any]) -> set[str]:
    return set(doc["components"]["messages"]) - {"deadLetter"}


def test_the_zone_document_is_valid_asyncapi_3(official):
    doc = document()
    _valid(official, doc)
    unresolved = [ref for ref in _refs(doc) if not _resolves(doc, ref)]
    assert not unresolved


def test_every_declared_event_type_appears_and_nothing_else():
    doc = document()
    assert _messages(doc) == set(REGISTRY) | set(COMMANDS) | {r.type for r in RESULTS.values()}
    for type_string, command in COMMANDS.items():
        assert type_string in doc["channels"][f"{command.domain.value}Commands"]["messages"]
        payload = doc["components"]["messages"][type_string]["payload"]["$ref"].split("/")[-1]
        assert set(doc["components"]["schemas"][payload]["properties"]) == set(command.model.model_fields)
    for type_string, event_type in REGISTRY.items():
        channel = doc["channels"][event_type.domain.value]
        assert type_string in channel["messages"]  # on its own domain's channel, and no other
        others = [c for name, c in doc["channels"].items() if name != event_type.domain.value]
        assert all(type_string not in c["messages"] for c in others)
        payload = doc["components"]["schemas"][
            doc["components"]["messages"][type_string]["payload"]["$ref"].split("/")[-1]
        ]
        assert set(payload["properties"]) == set(event_type.model.model_fields)


def test_the_channels_are_exactly_the_provisioned_topics():
    addresses = [c["address"] for c in document()["channels"].values()]
    expanded = {a.replace("{region}", r.value) for a in addresses for r in Region}
    assert expanded == {spec.name for spec in catalogue()}
    assert all(
        re.fullmatch(r"\{region\}\.[a-z]+(\.commands)?(\.dlq)?|\{region\}\.[a-z]+\.results", a) for a in addresses
    )


def test_the_committed_document_is_the_codes():
    committed = yaml.safe_load((ROOT / "docs" / "asyncapi.yaml").read_text())
    assert committed == document(), "run `make schemas` and commit docs/asyncapi.yaml"


@pytest.mark.parametrize("service", SERVICES)
def test_each_instance_serves_its_services_part(service: Domain, zone_of, official):
    zone = zone_of(service)
    answer = TestClient(zone.apps[Region.JIASHAN]).get("/asyncapi.json")  # public, like /openapi.json
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    served = answer.json()
    _valid(official, served)
    own = {t for t, e in [*REGISTRY.items(), *COMMANDS.items()] if e.domain in (service, Domain.AUDIT)}
    assert _messages(served) == own | {RESULTS[service].type}
    channels = {service.value, f"{service.value}DeadLetters", "audit", "auditDeadLetters"}
    channels |= {f"{service.value}{kind}" for kind in ("Commands", "CommandDeadLetters", "Results")}
    assert set(served["channels"]) == channels


def test_the_official_schema_is_pinned():
    lock = orjson.loads(Path(ROOT / "tests" / "asyncapi" / "package-lock.json").read_bytes())
    assert lock["packages"]["node_modules/@asyncapi/specs"]["version"] == "6.11.1"
