"""The pages' browser sign-in (shared/entrypoints/signin.py) without a provider that answers: a login is bound
to the browser that began it, logins under way are bounded, and a provider that fails sends the person back
to the page with a notice, never a 500. (tests/e2e/test_identity.py signs in through the real Keycloak.)"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.adapters.gate import VerifiedTokens
from shared.adapters.oidc import keycloak_entry
from shared.adapters.tokens import TrustList, init_dev_keys, load_private_key, mint, verify
from shared.contracts.regions import Region
from shared.entrypoints import signin
from shared.entrypoints.signin import PENDING_MAX, SignIn
from shared.rules.policy import Role

Q = Region.QINGPU


@pytest.fixture
def closed_url():
    """A loopback port nobody listens on: the provider is away."""
    server = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    return url


@pytest.fixture
def page(tmp_path, closed_url):
    init_dev_keys(tmp_path)
    path = tmp_path / "trust.json"
    document = json.loads(path.read_text())
    for region in Region:
        document["regions"][region.value]["providers"] = [keycloak_entry(closed_url, region)]
    path.write_text(json.dumps(document))
    trust = TrustList.load(path)
    sign_in = SignIn("yrd-console", trust, VerifiedTokens(trust), "yrd_console", lambda principal: True)
    return sign_in, tmp_path, trust


def _browser(sign_in: SignIn) -> TestClient:
    app = FastAPI()
    app.include_router(sign_in.router())
    return TestClient(app, follow_redirects=False)


def _known_endpoints(sign_in: SignIn, url: str) -> None:
    """The provider's discovery document as read before it went away (its endpoints, all at the closed port)."""
    sign_in._metadata[Q] = {"authorization_endpoint": f"{url}/auth", "token_endpoint": f"{url}/token"}


def test_a_login_when_the_providers_discovery_fails_goes_back_to_the_page_with_a_notice(page, caplog):
    sign_in, _, _ = page
    with caplog.at_level(logging.WARNING, logger=signin.__name__):
        answer = _browser(sign_in).get("/auth/login", params={"region": "qingpu"})
    assert answer.status_code == 303 and answer.headers["location"] == "/?signin=failed"
    assert "discovery failed" in caplog.text
    assert not sign_in._pending


def test_a_callback_from_a_browser_that_did_not_begin_the_login_is_refused(page, closed_url, caplog):
    sign_in, _, _ = page
    _known_endpoints(sign_in, closed_url)
    starter = _browser(sign_in)
    started = starter.get("/auth/login", params={"region": "qingpu"})
    assert started.status_code == 303 and started.headers["location"].startswith(f"{closed_url}/auth?")
    cookie = started.cookies["yrd_console_login"]
    set_cookie = started.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie and "max-age=600" in set_cookie
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    assert state not in cookie  # the cookie holds a hash, not the state the URL shows

    other = _browser(sign_in)  # another person's browser, sent the callback URL with a valid state and code
    with caplog.at_level(logging.WARNING, logger=signin.__name__):
        refused = other.get("/auth/callback", params={"state": state, "code": "a-code"})
    assert refused.status_code == 303 and refused.headers["location"] == "/?signin=failed"
    assert "did not start this login" in caplog.text
    assert "yrd_console" not in refused.cookies and not sign_in.sessions
    assert state not in sign_in._pending  # a state is good for one callback

    again = starter.get("/auth/login", params={"region": "qingpu"})  # the starter's own callback gets further:
    state = parse_qs(urlsplit(again.headers["location"]).query)["state"][0]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=signin.__name__):
        finished = starter.get("/auth/callback", params={"state": state, "code": "a-code"})
    assert "did not start this login" not in caplog.text
    assert "sign-in failed at the provider" in caplog.text  # it reached the (closed) token endpoint
    assert finished.status_code == 303 and finished.headers["location"] == "/?signin=failed"
    assert "yrd_console_login" not in starter.cookies  # cleared


def test_a_forged_login_cookie_is_refused(page, closed_url, caplog):
    sign_in, _, _ = page
    _known_endpoints(sign_in, closed_url)
    started = _browser(sign_in).get("/auth/login", params={"region": "qingpu"})
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    forger = _browser(sign_in)
    forger.cookies.set("yrd_console_login", "0" * 64)
    with caplog.at_level(logging.WARNING, logger=signin.__name__):
        answer = forger.get("/auth/callback", params={"state": state, "code": "c"})
    assert answer.headers["location"] == "/?signin=failed" and "did not start this login" in caplog.text


def test_logins_under_way_are_bounded(page, closed_url):
    sign_in, _, _ = page
    _known_endpoints(sign_in, closed_url)
    anonymous = _browser(sign_in)
    for _ in range(PENDING_MAX + 25):
        anonymous.get("/auth/login", params={"region": "qingpu"})
    assert len(sign_in._pending) == PENDING_MAX


def test_a_session_whose_refresh_meets_a_failed_discovery_is_closed_not_a_500(page):
    sign_in, keys_dir, trust = page
    token = mint(load_private_key(keys_dir, Q), Q, "operator@q", [Role.OPERATOR])
    principal = verify(token, trust)
    expiring = type(principal)(principal.subject, Q, principal.roles, expires_at=0.0)
    session = sign_in.open(expiring, token, refresh_token="r", region=Q)
    assert asyncio.run(sign_in.session(session.id)) is None
    assert session.id not in sign_in.sessions
    answer = _browser(sign_in).get("/auth/session")
    assert answer.status_code == 401
