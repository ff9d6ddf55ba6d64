"""A list route's query parameters, parsed by the route from its model (shared/entrypoints/query_params.py):
the same answers FastAPI's query-model path gave, problems included, and the same OpenAPI."""

from typing import Annotated

from fastapi import FastAPI, Query

from services.alerts.models import AlertQuery, ReinforcementQuery
from services.filing.models import FilingQuery
from shared.contracts.regions import Domain, Region
from shared.entrypoints import query_params
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.instances import token

J = Region.JIASHAN


def test_filters_parse_from_text_unknown_ones_are_ignored_and_a_repeated_one_takes_its_last_value(zone_of):
    zone = zone_of(Domain.FILING)
    clerk = zone.client(J, token=token(J, Role.WINDOW_CLERK))
    for court in ("qingpu", "qingpu", "wujiang", "jiashan"):
        assert clerk.post("/filings", json=filing_body(court=court)).status_code == 202

    assert len(clerk.get("/filings?limit=1&limit=3&no_such_filter=1").json()["items"]) == 3
    to_qingpu = clerk.get("/filings", params={"court_region": "qingpu", "overdue": "false"}).json()["items"]
    assert [f["court_region"] for f in to_qingpu] == ["qingpu", "qingpu"]


def test_a_bad_parameter_is_a_422_problem_naming_each_field_and_never_echoing_the_value(zone_of):
    clerk = zone_of(Domain.FILING).client(J, token=token(J, Role.WINDOW_CLERK))
    answer = clerk.get("/filings", params={"limit": "0", "status": "nope", "submitted_from": "yesterday"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert [e["field"] for e in problem["errors"]] == ["query.limit", "query.status", "query.submitted_from"]
    assert problem["errors"][0]["message"] == "Input should be greater than or equal to 1"
    assert "yesterday" not in answer.text


def test_the_parameters_are_documented_as_fastapi_documents_a_query_model():
    # No `from __future__ import annotations` in this module: each probe's annotation names its model as is.
    for model in (FilingQuery, AlertQuery, ReinforcementQuery):
        probe = FastAPI()

        @probe.get("/")
        async def route(query: Annotated[model, Query()]) -> None:  # type: ignore[valid-type]
            return None

        documented = probe.openapi()["paths"]["/"]["get"]["parameters"]
        assert query_params.route_options(model) == {"openapi_extra": {"parameters": documented}}
