"""Contracts are declared once and exported: the committed JSON Schemas are what the code generates."""

import json
import re
from pathlib import Path

import pytest

from shared.contracts import REGISTRY, json_schemas, lookup
from shared.contracts.base import UnknownEventType, UnknownEventVersion
from shared.contracts.regions import SERVICES, Domain
from shared.contracts.topics import catalogue, dlq, parse, topic

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def test_every_type_string_follows_the_convention():
    assert len(REGISTRY) >= 38
    for type_string, event_type in REGISTRY.items():
        assert re.fullmatch(r"cn\.yrd\.[a-z]+\.[a-z-]+\.v\d+", type_string)
        assert event_type.domain in Domain


def test_committed_schemas_match_the_code():
    generated = json_schemas()
    committed = {p.stem: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    assert committed == generated, "run `make schemas` and commit docs/schemas"


def test_unknown_type_and_unknown_version_are_told_apart():
    assert lookup("cn.yrd.filing.accepted.v1").name == "accepted"
    with pytest.raises(UnknownEventVersion):
        lookup("cn.yrd.filing.accepted.v2")
    with pytest.raises(UnknownEventType):
        lookup("cn.yrd.filing.teleported.v1")


def test_topic_names_and_their_dead_letter_twins():
    assert topic("qingpu", Domain.FILING) == "qingpu.filing"
    assert dlq(topic("qingpu", Domain.FILING, "t1.")) == "t1.qingpu.filing.dlq"
    assert parse("t1.wujiang.alerts.dlq", "t1.") == ("wujiang", "alerts")
    assert parse("t1.qingpu.notary.commands", "t1.") == ("qingpu", "notary")
    assert parse("qingpu.notary.results") == ("qingpu", "notary")
    names = {spec.name for spec in catalogue()}
    # every domain × 3 regions, each with its dead letters; each service's commands (with dead letters) and results.
    assert len(names) == len(Domain) * 3 * 2 + len(SERVICES) * 3 * 3 and "jiashan.audit.dlq" in names
    assert {"qingpu.filing.commands", "qingpu.filing.commands.dlq", "qingpu.filing.results"} <= names
    assert "qingpu.audit.commands" not in names


def test_ids_are_rfc_9562_version_7_and_sort_in_the_order_they_were_made():
    import uuid

    from shared.contracts.envelope import Event
    from shared.contracts.ids import new_id

    made = [new_id() for _ in range(5000)]
    assert made == sorted(made) and len(set(made)) == len(made)
    assert {(uuid.UUID(i).version, uuid.UUID(i).variant) for i in made} == {(7, uuid.RFC_4122)}
    event_ids = [Event.__dataclass_fields__["id"].default_factory() for _ in range(3)]  # what events get
    assert event_ids == sorted(event_ids) and uuid.UUID(event_ids[0]).version == 7
