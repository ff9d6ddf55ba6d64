"""Agency systems' commands on Kafka, against running instances and the real broker: a command on
`{region}.{domain}.commands` is validated, authorised, audited and applied like the HTTP call, answered on
`{region}.{domain}.results` (correlated by ce_causationid), idempotent by ce_id, and a record that is no
command is dead-lettered with its reason, without its bearer token, and still answered when it has an id."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import orjson
import pytest
from kafka import KafkaProducer

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.replay import read_to_end
from shared.contracts.commands import SUBMIT_FILING
from shared.contracts.regions import Domain, Region
from shared.contracts.topics import commands, dlq, results
from shared.rules.policy import Role
from tests.backends import sqlite_store
from tests.e2e.filing_data import filing_body
from tests.helpers import eventually
from tests.instances import token

pytestmark = pytest.mark.e2e
J, Q = Region.JIASHAN, Region.QINGPU
F = Domain.FILING


def send(kafka: KafkaAccess, topic: str, value: bytes, **headers: str) -> None:
    producer = KafkaProducer(**kafka.config(), acks="all")
    try:
        producer.send(topic, value=value, headers=[(k, v.encode()) for k, v in headers.items()]).get(timeout=30)
    finally:
        producer.close()


def command(kafka: KafkaAccess, prefix: str, body: object, bearer: str | None, **overrides: str) -> str:
    command_id = overrides.pop("ce_id", str(uuid.uuid4()))
    headers = {
        "ce_specversion": "1.0",
        "ce_id": command_id,
        "ce_type": SUBMIT_FILING.type,
        "ce_source": "/agency/jiashan-court-system",
        "content-type": "application/json",
        **({"authorization": f"Bearer {bearer}"} if bearer else {}),
        **overrides,
    }
    value = body if isinstance(body, bytes) else orjson.dumps(body)
    send(kafka, commands(J, F, prefix), value, **{k: v for k, v in headers.items() if v})
    return command_id


def result(kafka: KafkaAccess, prefix: str, command_id: str) -> dict:
    def answered() -> list[dict]:
        found = []
        for batch in read_to_end(kafka, [results(J, F, prefix)]):
            for record in batch:
                headers = dict(record.headers)
                if headers.get("ce_causationid", b"").decode() == command_id:
                    found.append({**orjson.loads(record.value), "_type": headers["ce_type"].decode()})
        return found

    found = eventually(answered, timeout=30, interval=0.3, what=f"the result of {command_id}")
    assert len(found) == 1, found  # one result per command, however often it was sent
    return found[0]


def parked(kafka: KafkaAccess, prefix: str, header: str, value: str) -> list[dict]:
    """The headers of the commands' dead letters whose `header` is `value`."""
    return [
        dict(record.headers)
        for batch in read_to_end(kafka, [dlq(commands(J, F, prefix))])
        for record in batch
        if dict(record.headers).get(header, b"").decode() == value
    ]


def clerk() -> str:
    return token(J, Role.WINDOW_CLERK, subject="jiashan-court-system", agency="jiashan-court")


def test_a_command_files_a_case_like_the_http_call_and_reaches_the_court(filing_cluster, e2e_prefix, kafka):
    body = filing_body(court="qingpu")
    command_id = command(kafka, e2e_prefix, body, clerk())
    answer = result(kafka, e2e_prefix, command_id)
    assert answer["_type"] == "cn.yrd.filing.command-result.v1"
    assert (answer["status"], answer["record_status"], answer["problem"]) == (202, "submitted", None)
    filing_id = answer["id"]
    http = filing_cluster.client(J, F, token(J, Role.WINDOW_CLERK))
    assert http.get(f"/filings/{filing_id}").json()["court_region"] == "qingpu"
    court = filing_cluster.client(Q, F, token(Q, Role.COURT_OFFICER))
    eventually(lambda: court.get(f"/filings/{filing_id}").status_code == 200, what="the filing at the court")
    with sqlite_store(filing_cluster.db(J, F)) as conn:  # audited like the HTTP call, as its sender
        audited = conn.execute(
            "SELECT count(*) FROM audit_index WHERE actor = 'jiashan-court-system' AND action = 'filing.submit' "
            "AND decision = 'allowed'"
        ).fetchone()[0]
    assert audited >= 1
    operator = filing_cluster.client(J, F, token(J, Role.OPERATOR))
    scraped = operator.get(filing_cluster.url(J, F) + "/metrics").text
    assert any(
        line.startswith("yrd_commands_total{") and 'via="kafka"' in line and 'status="202"' in line
        for line in scraped.splitlines()
    )


def test_the_same_command_twice_files_once_and_is_answered_once(filing_cluster, e2e_prefix, kafka):
    body = {**filing_body(court="jiashan"), "claim_summary": f"重复发送的命令 {uuid.uuid4()}"}
    command_id = command(kafka, e2e_prefix, body, clerk())
    command(kafka, e2e_prefix, body, clerk(), ce_id=command_id)
    answer = result(kafka, e2e_prefix, command_id)
    assert answer["status"] == 202
    with sqlite_store(filing_cluster.db(J, F)) as conn:
        count = conn.execute("SELECT count(*) FROM filings WHERE claim_summary = ?", (body["claim_summary"],))
        assert count.fetchone()[0] == 1


@pytest.mark.parametrize(
    ("body", "bearer", "status", "slug"),
    [
        ({"court_region": "mars"}, "clerk", 422, "validation"),
        (None, None, 401, "unauthenticated"),
        (None, "police", 403, "forbidden"),
    ],
    ids=["invalid", "no-token", "not-allowed"],
)
def test_refused_commands_get_the_http_problem_and_change_nothing(
    filing_cluster, e2e_prefix, kafka, body, bearer, status, slug
):
    tokens = {"clerk": clerk(), "police": token(J, Role.POLICE_OFFICER), None: None}
    command_id = command(kafka, e2e_prefix, body or filing_body(), tokens[bearer])
    answer = result(kafka, e2e_prefix, command_id)
    assert answer["status"] == status and answer["id"] is None
    assert answer["problem"]["status"] == status and answer["problem"]["type"].endswith(slug)


@pytest.mark.parametrize(
    ("value", "overrides", "reason"),
    [
        (b"{not json", {}, "bad-json"),
        (None, {"ce_type": "cn.yrd.filing.teleport.v1"}, "unknown-type"),
        (None, {"ce_specversion": "0.3"}, "bad-envelope"),
    ],
    ids=["bad-json", "unknown-type", "bad-envelope"],
)
def test_a_record_that_is_no_command_is_dead_lettered_without_its_token_and_answered(
    filing_cluster, e2e_prefix, kafka, value, overrides, reason
):
    command_id = command(kafka, e2e_prefix, value or filing_body(), clerk(), **overrides)
    answer = result(kafka, e2e_prefix, command_id)
    assert answer["status"] == 400 and answer["problem"]["type"].endswith("malformed-command")

    headers = eventually(lambda: parked(kafka, e2e_prefix, "ce_id", command_id), 30, 0.3, "the dead letter")[0]
    assert headers["dlq_reason"].decode() == reason
    assert "authorization" not in headers  # the sender's credential is never copied
    show = ["dlq", "show", "--region", "jiashan", "--domain", "filing", "--commands"]
    shown = subprocess.run(
        [sys.executable, "-m", "yrd.cli", *show],
        env={**os.environ, "YRD_TOPIC_PREFIX": e2e_prefix, "KAFKA_BOOTSTRAP": kafka.bootstrap},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0 and reason in shown.stdout  # what an operator sees of it


def test_a_record_without_an_id_is_dead_lettered_and_cannot_be_answered(filing_cluster, e2e_prefix, kafka):
    marker = str(uuid.uuid4())
    command(kafka, e2e_prefix, filing_body(), clerk(), ce_id="", ce_source=marker)

    found = eventually(lambda: parked(kafka, e2e_prefix, "ce_source", marker), 30, 0.3, "the dead letter")
    assert found[0]["dlq_reason"] == b"bad-envelope"
