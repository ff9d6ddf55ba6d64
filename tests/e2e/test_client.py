"""The Python client (clients/python, `yrd-client`) against running instances, as an agency system uses it:
typed answers, problems as typed exceptions, safe retries of writes whose answer was lost, pagination,
bulk NDJSON, the async client, and commands on Kafka."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from yrd_client import AsyncClient, Client, Conflict, Forbidden, Invalid, NotFound, models
from yrd_client.kafka import Commands

from shared.adapters.kafka.access import DEV_CREDENTIALS, password_of
from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.backends import sqlite_store
from tests.e2e.filing_data import filing_body
from tests.helpers import eventually
from tests.instances import token

pytestmark = pytest.mark.e2e
J, Q = Region.JIASHAN, Region.QINGPU
F = Domain.FILING


def clerk(cluster, **options) -> Client:
    return Client(cluster.url(J, F), token(J, Role.WINDOW_CLERK), **options)


def court(cluster) -> Client:
    return Client(cluster.url(Q, F), token(Q, Role.COURT_OFFICER))


def test_a_filing_through_the_typed_client_from_window_to_decision(filing_cluster):
    with clerk(filing_cluster) as window, court(filing_cluster) as qingpu:
        filed = window.filing.submit(models.SubmitFiling.model_validate(filing_body()))
        assert isinstance(filed, models.SubmittedFiling) and filed.status == "submitted" and filed.filing_code
        eventually(lambda: qingpu.filing.get(filed.id).status == "received", ignoring=(NotFound,))
        accepted = qingpu.filing.accept(filed.id)
        assert accepted.status == "accepted" and accepted.docket_number
        with pytest.raises(Conflict) as refused:
            qingpu.filing.reject(filed.id, models.Reject(reason="已受理的案件不能再驳回"))
        assert refused.value.slug == "invalid-transition" and refused.value.body["current_status"] == "accepted"
        with pytest.raises(Forbidden):
            window.filing.accept(filed.id)  # a window clerk does not decide
        with pytest.raises(NotFound):
            qingpu.filing.get("no-such-filing")


def test_bad_input_is_raised_with_the_field_named(filing_cluster):
    body = filing_body()
    body["parties"] = body["parties"][:1]
    with clerk(filing_cluster) as window, pytest.raises(Invalid) as invalid:
        window.filing.submit(body)
    assert invalid.value.status == 422 and [e.field for e in invalid.value.errors] == ["parties"]


class _AnswerLostOnce(httpx.BaseTransport):
    """The request reaches the instance, which commits it; its answer is lost on the way back, once."""

    def __init__(self) -> None:
        self.inner, self.lost = httpx.HTTPTransport(), 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST" and not self.lost:
            response.read()
            self.lost += 1
            raise httpx.ReadError("connection reset before the answer arrived", request=request)
        return response


def test_a_write_whose_answer_was_lost_is_retried_and_creates_one_record(filing_cluster):
    transport = _AnswerLostOnce()
    since = datetime.now(UTC).isoformat()
    with clerk(filing_cluster, transport=transport) as window:
        filed = window.filing.submit(filing_body())
    assert transport.lost == 1
    with sqlite_store(filing_cluster.db(J, F)) as db:
        mine = db.execute(
            "SELECT id FROM filings WHERE receiving_region = 'jiashan' AND submitted_at >= ?", (since,)
        ).fetchall()
    assert mine == [(filed.id,)]  # the retry carried the same Idempotency-Key: one filing, its first answer


def test_pagination_iterates_every_page_once(filing_cluster):
    with clerk(filing_cluster) as window:
        for _ in range(5):
            window.filing.submit(filing_body())
        first = window.filing.page(limit=100)
        walked = [f.id for f in window.filing.list(limit=2)]
    assert len(walked) == len(set(walked)) >= 5  # no repeats across pages
    assert {f.id for f in first.items} <= set(walked)  # and no gaps


def test_bulk_submits_many_in_chunks_and_one_bad_record_fails_alone(filing_cluster):
    bad = filing_body()
    bad["documents"] = []
    bodies = [filing_body(), filing_body(), bad, filing_body(), filing_body()]
    with clerk(filing_cluster) as window:
        outcomes = list(window.filing.submit_batch(bodies, chunk=2))  # three requests
        assert [o.line for o in outcomes] == [1, 2, 3, 4, 5]
        assert [o.ok for o in outcomes] == [True, True, False, True, True]
        assert isinstance(outcomes[2].problem, Invalid) and outcomes[2].problem.errors[0].field == "documents"
        assert all(o.record_status == "submitted" for o in outcomes if o.ok)
        assert all(window.filing.get(o.id).status in {"submitted", "received"} for o in outcomes if o.ok)


def test_the_async_client_does_the_same(filing_cluster):
    async def walk() -> tuple[models.SubmittedFiling, list[str]]:
        async with AsyncClient(filing_cluster.url(J, F), token(J, Role.WINDOW_CLERK)) as window:
            filed = await window.filing.submit(filing_body())
            listed = [f.id async for f in window.filing.list(limit=3)]
            outcomes = [o async for o in window.filing.submit_batch([filing_body()])]
            assert outcomes[0].ok and (await window.filing.get(outcomes[0].id)).id == outcomes[0].id
            return filed, listed

    filed, listed = asyncio.run(walk())
    assert filed.id in listed


def test_commands_on_kafka_are_answered_once_and_bad_ones_with_their_problem(filing_cluster, kafka):
    agency = token(J, Role.WINDOW_CLERK, agency="jiashan-court-system")
    source, prefix = "/agency/jiashan-court-system", filing_cluster.prefix
    # As the agency system's broker principal: it may write Jiashan's command topics and read their results.
    sasl = ("jiashan-agency", password_of(DEV_CREDENTIALS, "jiashan-agency"))
    with Commands(
        kafka.bootstrap, "jiashan", "filing", agency, source=source, topic_prefix=prefix, sasl=sasl
    ) as commands:
        outcome = commands.submit("submit", models.SubmitFiling.model_validate(filing_body()))
        assert outcome.ok and outcome.status == 202 and outcome.record_status == "submitted"
        again = commands.send("submit", filing_body(), command_id=outcome.command_id)  # the same command, resent
        assert commands.results([again])[again].id == outcome.id
        refused = commands.submit("submit", {**filing_body(), "documents": []})
        assert refused.status == 422 and isinstance(refused.problem, Invalid)
        with pytest.raises(ValueError):
            commands.send("teleport", {})
    with Client(filing_cluster.url(J, F), agency) as window:
        assert window.filing.get(outcome.id).status in {"submitted", "received"}  # on its way to the court
    with sqlite_store(filing_cluster.db(J, F)) as db:
        assert db.execute("SELECT COUNT(*) FROM filings WHERE id = ?", (outcome.id,)).fetchone() == (1,)


def test_a_caller_supplied_idempotency_key_answers_a_repeat_with_the_first_answer(filing_cluster):
    key = str(uuid.uuid4())
    with clerk(filing_cluster) as window:
        first = window.filing.submit(filing_body(), idempotency_key=key)
        again = window.filing.submit(filing_body(), idempotency_key=key)
        assert again.id == first.id
        with pytest.raises(Invalid) as reused:  # the same key for another request is refused, not replayed
            window.filing.submit(filing_body(court="wujiang"), idempotency_key=key)
    assert reused.value.slug == "idempotency-key-reused"
