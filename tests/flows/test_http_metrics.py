"""What operators see of HTTP traffic: requests counted and timed by the route as the API documents it
(its template with the /v1 or /public/v1 prefix, never the raw path with an id in it), and by status."""

from __future__ import annotations

from prometheus_client import REGISTRY

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.instances import token

J = Region.JIASHAN


def counted(route: str, status: int) -> float:
    labels = {"service": "filing", "region": "jiashan", "route": route, "status": str(status)}
    return REGISTRY.get_sample_value("yrd_http_requests_total", labels) or 0.0


def test_requests_are_counted_by_their_documented_route_and_status(zone_of):
    zone = zone_of(Domain.FILING)
    clerk = zone.client(J, token=token(J, Role.WINDOW_CLERK))
    routes = set(zone.openapi()["paths"])
    before = {
        key: counted(*key)
        for key in [("/v1/filings", 202), ("/v1/filings/{filing_id}", 200), ("/v1/filings", 200), ("unmatched", 404)]
    }

    filing_id = clerk.post("/filings", json=filing_body()).json()["id"]
    assert clerk.get(f"/filings/{filing_id}").status_code == 200
    assert clerk.get("/filings").status_code == 200
    assert clerk.get("/nowhere").status_code == 404

    assert {key: counted(*key) - value for key, value in before.items()} == dict.fromkeys(before, 1.0)
    assert {"/v1/filings", "/v1/filings/{filing_id}"} <= routes  # the labels are the document's paths
