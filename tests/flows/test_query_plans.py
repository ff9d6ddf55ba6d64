"""Every list the API offers stays flat as the stores grow: each filter, alone and in the combinations people
use, is answered by an index that also yields the list's order (the LIMIT then ends the walk after one page),
or by a search bounded by what the filter names. Generated from each instance's OpenAPI document, so a new
list route or filter (a new service's too) is checked from its first day.

Checked on SQLite's plan of the statement each list request runs, with its parameters as bound at run time
(a partial index is used only when the query's WHERE states its predicate). With no ANALYZE statistics
the plan does not depend on how many rows there are: an empty store shows the plan of a million rows.
What fails:
- a temporary B-tree for ORDER BY (every match sorted for each page) unless the query names a handful of
  rows (POINT) or a window of time on another column than the order (WINDOW: its rows grow with the window
  asked for, not with the years the store keeps);
- a filter the index search does not use (the plan with it is the plan without it): the walk in order
  then reads rows until a page of matches turns up, all of them if matches are rare (the court's queue,
  `overdue=true` at 54,000 filings: p99 1.6 s);
- a step of any other statement of the request that reads every row of a table.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from shared.contracts.pagination import encode_cursor
from shared.contracts.regions import Region
from shared.rules.policy import Role
from tests.backends import sqlite_only
from tests.flows.plans import Statement, plan, reads_every_row, reads_of, walk
from tests.instances import token
from yrd.registry import SERVICES

# Filters that name a handful of rows: a docket number one filing, a person's filings, one certificate's
# verifications, one record's audit entries. Their matches may be sorted, and other filters checked on them
# (so may a window's, below).
POINT = {"docket_number", "party_id_number", "certificate_number", "record"}
# Times on another column than the list's order: the rows of the window are sorted.
WINDOW = {"decided_from", "decided_to", "revoked_since", "since", "until"}
# Filters most rows match, checked on each row of the walk in order (about 1.5 rows read a match): an
# alert's targets are by default the two regions other than its origin, so two alerts in three name any one.
DENSE = {"target"}
# Bounds of the list's own order: the walk starts or stops there (the plan reads the same with or without a
# lower bound, as `column > ?` stands for the order's IS NOT NULL too).
ORDER_BOUNDS = {"submitted_from", "submitted_to", "raised_from", "raised_to", "issued_from", "issued_to"}
# A choice of the list's order, not a filter: alone (its default) it reads as no parameter at all. Another
# order is asked as `name=value` in the combinations, with the filters it needs (REQUIRES): without them
# the API refuses it (422), so those queries are not asked.
ORDERS = {"order"}
REQUIRES = {"order=due": {"court_region", "status"}}

# The combinations the API documents (README) and the work lists read, beside every filter alone.
COMBINATIONS: dict[str, list[tuple[str, ...]]] = {
    "/v1/filings": [
        ("status", "court_region"),  # a court's queue
        ("overdue", "court_region"),  # a court's overdue filings
        ("submitted_from", "submitted_to"),
        ("decided_from", "decided_to"),
        ("court_region", "status", "order=due"),  # a court's queue, soonest deadline first
    ],
    "/v1/alerts": [
        ("origin", "status"),  # a region's own alerts by status
        ("status", "severity"),
        ("target", "status"),  # alerts addressed to a region
        ("raised_from", "raised_to"),
    ],
    "/v1/reinforcement-requests": [("to_region", "status")],  # what waits for a region's answer
    "/v1/subjects": [("home_region", "status")],
    "/v1/travels": [("destination", "status")],  # the trips arriving in a region
    "/v1/transfers": [("destination", "status")],  # the transfers awaiting a region's acceptance
    "/v1/certificates": [("issuer_region", "status"), ("issued_from", "issued_to")],
    "/v1/verifications": [("verifier_region", "revoked_since")],  # what a region that relied on one reviews
    "/v1/proof-requests": [("holding_region", "status"), ("requesting_region", "status")],
    "/v1/referrals": [("to_region", "status"), ("from_region", "status")],  # what waits for a region's decision
    "/v1/assistance-requests": [("asked_region", "status"), ("requesting_region", "status")],
    "/v1/decisions": [("decided_region", "status")],  # a region's decisions awaiting the legal sign-off
    "/v1/audit": [("since", "until"), ("actor", "since"), ("record", "since")],
}

# Values the parameter's schema alone does not yield (a checksum-valid resident ID number).
SAMPLES = {"party_id_number": "33042119900101123X"}
# A purpose the read needs (without it the request is refused before it reads).
PURPOSES = {"party_id_number": "case-review", "/v1/audit": "audit-review"}


def list_routes(spec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each paged GET route (it takes a `cursor`) with its filters (the query parameters but the page)."""
    routes = {}
    for path, operations in spec["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        filters = [p for p in parameters if p["in"] == "query" and p["name"] not in ("limit", "cursor")]
        if any(p["name"] == "cursor" for p in parameters) and filters:
            routes[path] = filters
    return routes


def sample(spec: dict[str, Any], parameter: dict[str, Any]) -> str:
    """A value the parameter's schema accepts: an enum's first member, a time, true, or some text."""
    if parameter["name"] in SAMPLES:
        return SAMPLES[parameter["name"]]
    schema = parameter["schema"].get("anyOf", [parameter["schema"]])[0]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("type") == "boolean":
        return "true"
    if schema.get("format") == "date-time":
        return "2026-11-01T00:00:00+08:00"
    return "x1"


def queries(path: str, filters: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """No filter, each filter alone, and the documented combinations (of the filters the route has)."""
    names = {p["name"] for p in filters}
    combinations = [c for c in COMBINATIONS.get(path, []) if {n.split("=")[0] for n in c} <= names]
    return [(), *((p["name"],) for p in filters), *combinations]


def listing(statements: list[Statement]) -> Statement:
    """The request's page: its one statement ordered and limited."""
    (page,) = [s for s in statements if " LIMIT " in s[0].upper() and "ORDER BY" in s[0].upper()]
    return page


@sqlite_only("its planner's EXPLAIN QUERY PLAN of each list's statement")
@pytest.mark.parametrize("service", list(SERVICES))  # every service of the zone, a new one from its first day
def test_every_list_is_answered_from_an_index_in_its_order(zone_of, service):
    zone = zone_of(service)
    runtime = zone.runtime(Region.QINGPU)
    conn = runtime.store.connect()
    spec = zone.openapi()
    everyone = token(Region.QINGPU, *Role)  # the lists' read grants, whichever role each asks for
    routes = list_routes(spec)
    assert "/v1/audit" in routes and len(routes) > 1, "the service's lists are found in its OpenAPI document"

    plans: dict[tuple[str, tuple[str, ...], str | None], list[str]] = {}

    def ask(path: str, query: tuple[str, ...], cursor: str | None = None):
        purpose = next((PURPOSES[k] for k in (*query, path) if k in PURPOSES), None)
        given = dict(n.split("=", 1) for n in query if "=" in n)  # a value asked for (`order=due`)
        params = {**{p["name"]: sample(spec, p) for p in routes[path] if p["name"] in query}, **given}
        client = zone.client(Region.QINGPU, token=everyone, **({"x-purpose": purpose} if purpose else {}))
        return client.get(path.removeprefix("/v1"), params={**params, **({"cursor": cursor} if cursor else {})})

    def later_page(path: str) -> str:
        """A cursor the route takes (the store is empty, so none is handed out): its keys' count is found."""
        return next(c for c in (encode_cursor(*["x"] * n) for n in range(1, 5)) if ask(path, (), c).status_code == 200)

    def page_plan(path: str, query: tuple[str, ...], cursor: str | None = None) -> list[str]:
        """The plan of the page the route reads for `query` (and the other statements' steps that read
        every row, into `problems`)."""
        if (path, query, cursor) not in plans:
            with reads_of(runtime.store) as statements:
                answer = ask(path, query, cursor)
            assert answer.status_code == 200, (path, query, answer.text)
            page = listing(statements)
            plans[path, query, cursor] = walk(conn, page)
            for sql, args in (s for s in statements if s is not page):
                problems.update(
                    {
                        f"{path}?{'&'.join(query)}: {sql}": step
                        for step in plan(conn, (sql, args))
                        if reads_every_row(conn, step)
                    }
                )
        return plans[path, query, cursor]

    problems: dict[str, str] = {}
    for path, filters in routes.items():
        cursor = later_page(path)
        for query in queries(path, filters):
            steps, where = page_plan(path, query), f"{path}?{'&'.join(query)}"
            later = page_plan(path, query, cursor)  # from the cursor on: the same index, from the cursor's keys
            if _index(later) != _index(steps) or len(later) != len(steps):
                problems[f"{where}&cursor"] = f"a later page is read otherwise: {later}, the first {steps}"
            if any("TEMP B-TREE FOR ORDER BY" in s for s in steps) and not set(query) & (POINT | WINDOW):
                problems[where] = f"sorts every match: {steps}"
            for name in query:
                without = tuple(n for n in query if n != name)
                if (
                    name not in POINT | ORDER_BOUNDS | DENSE | ORDERS
                    and all(REQUIRES.get(n, set()) <= set(without) for n in without)
                    and not set(without) & (POINT | WINDOW)
                    and steps == page_plan(path, without)
                ):
                    problems[f"{where} ({name})"] = f"checked row by row as the walk goes: {steps}"
    assert problems == {}, "\n".join(f"{where}: {why}" for where, why in problems.items())


def _index(steps: list[str]) -> str:
    """The table and index a plan reads its rows from, without the bounds it searches them by (a walk of
    the whole index and a search of part of it read the same index: SCAN and SEARCH)."""
    if not steps:
        return ""
    read = re.sub(r" \(.*\)$", "", steps[0]).split(" ", 1)[1]
    return read.replace(" USING INTEGER PRIMARY KEY", "")  # the rowid's own order
