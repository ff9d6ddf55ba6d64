"""Bulk over HTTP (`POST /v1/{collection}/batch`, NDJSON): every line is applied exactly as the single POST
would apply it and answered in order, one bad line fails alone, keys make lines idempotent, and the
records cross the zone like any other."""

from __future__ import annotations

import re

import orjson
import pytest
from prometheus_client import REGISTRY

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.test_policy_matrix import ENDPOINTS
from tests.inmemory import documented
from tests.instances import token

NDJSON = {"content-type": "application/x-ndjson"}
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
# Who creates each service's records.
ROLES = {
    Domain.FILING: Role.WINDOW_CLERK,
    Domain.ALERTS: Role.POLICE_OFFICER,
    Domain.CORRECTIONS: Role.CORRECTIONS_OFFICER,
    Domain.NOTARY: Role.NOTARY,
    Domain.ENFORCEMENT: Role.ENFORCEMENT_OFFICER,
    Domain.PROCURATORATE: Role.PROSECUTOR,
}
BULK = [(service, e) for service, endpoints in ENDPOINTS.items() for e in endpoints if e.ndjson]


def _lines(*items: object) -> bytes:
    return b"\n".join(item if isinstance(item, bytes) else orjson.dumps(item) for item in items)


def _results(response) -> list[dict]:
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-ndjson"
    return [orjson.loads(line) for line in response.content.splitlines()]


def _client(zone, service: Domain, region: Region = W):
    return zone.client(region, token=token(region, ROLES[service]), **{"x-purpose": "supervision"})


def _path(zone, service: Domain, path: str, body: dict | None = None) -> str:
    if service is Domain.ENFORCEMENT:  # a decision is measured against the benchmark in force for its code
        # (the e2e policy matrix, run earlier in the same session, may have chosen the code its lines name)
        from tests.e2e.test_enforcement import adopted_benchmark

        adopted_benchmark(zone, (body or {})["code"])
    if "{alert_id}" not in path:
        return path.removeprefix("/v1")
    from tests.e2e.alert_data import alert_body

    alert = _client(zone, service, Q).post("/alerts", json=alert_body()).json()["id"]  # Wujiang sights it
    return path.removeprefix("/v1").format(alert_id=alert)


@pytest.mark.parametrize(("service", "endpoint"), BULK, ids=lambda v: getattr(v, "path", getattr(v, "value", v)))
def test_each_line_is_answered_in_order_and_one_bad_line_fails_alone(zone_of, service, endpoint):
    zone = zone_of(service)
    first, last = endpoint.body(), endpoint.body()  # two records (an enrolment's person, e.g., differs)
    client, path = _client(zone, service), _path(zone, service, endpoint.path, first)
    body = _lines(first, b"{not json", ["a list"], {"unexpected": 1}, b"", b"  ", last)
    response = client.post(path, content=body, headers=NDJSON)
    documented(zone.apps[W], response)
    results = _results(response)
    assert [r["line"] for r in results] == [1, 2, 3, 4, 7]  # blank lines are skipped, numbering is the body's
    created = [r for r in results if r["status"] in (201, 202)]
    assert [r["line"] for r in created] == [1, 7] and all(r["id"] and r["record_status"] for r in created)
    assert [r["status"] for r in results[1:4]] == [400, 400, 422]
    assert all(r["problem"]["status"] == r["status"] for r in results[1:4])
    assert "unexpected" in results[3]["problem"]["detail"]
    if "{alert_id}" not in endpoint.path:  # each created record reads back like one the single POST made
        for result in created:
            assert client.get(f"{path.removesuffix('/batch')}/{result['id']}").status_code == 200


@pytest.mark.parametrize(("service", "endpoint"), BULK[:1], ids=["filings"])
def test_a_key_makes_a_line_idempotent_and_a_reused_key_with_another_body_is_refused(zone_of, service, endpoint):
    zone = zone_of(service)
    client, path = _client(zone, service), _path(zone, service, endpoint.path)
    first = endpoint.body()
    once = _results(client.post(path, content=_lines({**first, "idempotency_key": "k-1"}), headers=NDJSON))
    again = _results(client.post(path, content=_lines({**first, "idempotency_key": "k-1"}), headers=NDJSON))
    assert again == once
    other = {**endpoint.body(), "claim_summary": "另一案件", "idempotency_key": "k-1"}
    refused = _results(client.post(path, content=_lines(other), headers=NDJSON))
    assert refused[0]["status"] == 422 and refused[0]["problem"]["type"].endswith("idempotency-key-reused")
    bad_key = _results(client.post(path, content=_lines({**first, "idempotency_key": ""}), headers=NDJSON))
    assert bad_key[0]["status"] == 422
    assert zone.rows(W, "SELECT count(*) AS n FROM filings")[0]["n"] == 1


def test_filings_filed_in_bulk_reach_their_courts_and_are_decided_there(zone_of):
    zone = zone_of(Domain.FILING)
    from tests.e2e.filing_data import filing_body

    body = _lines(*(filing_body(court=court.value) for court in (Q, J, W, Q)))
    counted = {"service": "filing", "region": "jiashan", "via": "bulk", "type": "cn.yrd.filing.submit.v1"}
    before = REGISTRY.get_sample_value("yrd_commands_total", {**counted, "status": "202"}) or 0
    results = _results(_client(zone, Domain.FILING, J).post("/filings/batch", content=body, headers=NDJSON))
    assert REGISTRY.get_sample_value("yrd_commands_total", {**counted, "status": "202"}) == before + 4
    ids = [r["id"] for r in results]
    assert [r["record_status"] for r in results] == ["submitted", "received", "submitted", "submitted"]
    court = zone.client(Q, token=token(Q, Role.COURT_OFFICER))
    assert court.post(f"/filings/{ids[0]}/accept").status_code == 200
    for region in Region:  # every region's read model holds all four
        assert len(zone.rows(region, "SELECT id FROM filings")) == 4
    window = zone.client(J, token=token(J, Role.WINDOW_CLERK))
    assert window.get(f"/filings/{ids[0]}").json()["status"] == "accepted"


def test_a_role_that_may_not_create_gets_a_denial_per_line_and_each_is_audited(zone_of):
    zone = zone_of(Domain.FILING)
    from tests.e2e.filing_data import filing_body

    police = zone.client(J, token=token(J, Role.POLICE_OFFICER))
    results = _results(police.post("/filings/batch", content=_lines(filing_body(), filing_body()), headers=NDJSON))
    assert [r["status"] for r in results] == [403, 403]
    assert not zone.rows(J, "SELECT id FROM filings")
    denied = zone.rows(
        J, "SELECT count(*) AS n FROM audit_index WHERE action = 'filing.submit' AND decision = 'denied'"
    )
    assert denied[0]["n"] == 2


def test_not_ndjson_is_415_and_a_body_over_the_batch_limit_is_413(zone_of):
    zone = zone_of(Domain.FILING)
    client = _client(zone, Domain.FILING, J)
    wrong = client.post("/filings/batch", content=b"{}", headers={"content-type": "application/json"})
    assert wrong.status_code == 415 and wrong.headers["content-type"] == "application/problem+json"
    limit = zone.runtime(J).settings.max_batch_bytes
    too_big = client.post("/filings/batch", content=b" " * (limit + 1), headers=NDJSON)
    assert too_big.status_code == 413
    # The single POST keeps its own, smaller limit.
    single = zone.runtime(J).settings.max_body_bytes
    assert client.post("/filings", content=b" " * (single + 1), headers=NDJSON).status_code == 413


def test_a_line_refused_inside_its_command_fails_alone_and_the_lines_around_it_are_written_once(zone_of):
    """Lines share one savepoint while they succeed; one refused inside its command (a validity in the past)
    undoes the run, which is applied again without it: gapless numbers, one record and one audit entry per
    good line, the refused line's problem in its place."""
    zone = zone_of(Domain.NOTARY)
    from tests.e2e.test_policy_matrix import id_number, sha

    def certificate(seq: str, **extra: str) -> dict:
        applicant = {"name": "孙某", "id_number": id_number(seq=seq)}
        return {"matter": "declaration", "applicant": applicant, "document_sha256": sha(seq), **extra}

    past = certificate("553", valid_until="2020-01-01T00:00:00+08:00")
    body = _lines(certificate("551"), certificate("552"), past, certificate("554"), past)
    results = _results(_client(zone, Domain.NOTARY).post("/certificates/batch", content=body, headers=NDJSON))
    assert [r["status"] for r in results] == [201, 201, 422, 201, 422]
    numbers = [r["id"] for r in results if r["status"] == 201]
    sequences = [int(re.search(r"第(\d+)号", number)[1]) for number in numbers]
    assert sequences == list(range(sequences[0], sequences[0] + 3))  # gapless: nothing of the undone run kept
    stored = zone.rows(W, "SELECT id FROM certificates")
    assert sorted(row["id"] for row in stored) == sorted(numbers)
    issued = "SELECT count(*) AS n FROM audit_index WHERE action = 'notary.issue' AND decision = 'allowed'"
    assert zone.rows(W, issued)[0]["n"] == 3


def test_a_batch_without_a_line_is_a_clear_422(zone_of):
    zone = zone_of(Domain.FILING)
    clerk = zone.client(Region.JIASHAN, token=token(Region.JIASHAN, Role.WINDOW_CLERK))
    for body in (b"", b"\n\n"):
        answer = clerk.post("/filings/batch", content=body, headers={"content-type": "application/x-ndjson"})
        assert answer.status_code == 422
        assert answer.json()["type"].endswith("empty-batch")
