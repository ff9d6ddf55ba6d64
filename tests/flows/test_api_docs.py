"""/docs and /redoc work on an intranet: every script, style and icon the pages load is the instance's own
(deploy/api-docs, pinned npm packages), served without a token like the OpenAPI document."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from shared.contracts.regions import SERVICES, Domain, Region
from shared.entrypoints.api_docs import ASSETS

LOADED = re.compile(r"""(?:src|href|spec-url|url)\s*[=:]\s*['"]([^'"]+)['"]""")


@pytest.mark.parametrize("service", [Domain(name) for name in SERVICES])
def test_docs_pages_load_only_what_the_instance_serves(zone_of, service):
    client = TestClient(zone_of(service).apps[Region.QINGPU])  # no token: the pages are public

    for page in ("/docs", "/redoc"):
        answer = client.get(page)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        loaded = LOADED.findall(answer.text)
        assert loaded, f"{page} names no asset"
        assert [url for url in loaded if not url.startswith("/")] == [], f"{page} loads from elsewhere"
        assert "//" not in "".join(loaded)
        assert not re.search(r"https?://", answer.text), f"{page} names another host"
        for url in loaded:
            served = client.get(url)
            assert served.status_code == 200, url
            if url != "/openapi.json":
                assert served.content, url


def test_each_asset_is_served_with_its_content_type(zone_of):
    client = TestClient(zone_of(Domain.FILING).apps[Region.QINGPU])
    expected = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}

    for name, path in ASSETS.items():
        answer = client.get(f"/docs/assets/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].split(";")[0] == expected[path.suffix]
        assert answer.content == path.read_bytes()
    oauth = client.get("/docs/oauth2-redirect")
    assert oauth.status_code == 200 and oauth.headers["content-type"].startswith("text/html")


def test_nothing_else_is_reachable_through_the_assets_route(zone_of):
    client = TestClient(zone_of(Domain.FILING).apps[Region.QINGPU])

    for name in ("package.json", "index.html", "..%2Fpackage.json", "swagger-ui-bundle.js.map"):
        answer = client.get(f"/docs/assets/{name}")
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"
