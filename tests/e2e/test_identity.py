"""Sign-in at each region's identity provider, against a real Keycloak: the suite's own, started once by
deploy/keycloak/start.sh with the generated realms, and filing and alerts instances of the three regions
whose trust file names its realms (issuer and JWKS URI each)."""

from __future__ import annotations

import base64
import html
import json
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from yrd_client import Client, ClientCredentials, models
from yrd_client.kafka import Commands

from services.console.digest import browser
from shared.adapters.idp import realms
from shared.adapters.idp.provider import client_secret, user_password
from shared.adapters.kafka.access import DEV_CREDENTIALS, password_of
from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.alert_data import alert_body
from tests.e2e.filing_data import filing_body
from tests.e2e.identity_support import (
    IDENTITY_BASE,
    Provider,
    add_client,
    add_rsa_key,
    remove_rsa_keys_except,
)
from tests.helpers import eventually
from tests.instances import Cluster, token

# The first test also waits for the suite's own Keycloak to start (up to minutes on a busy machine).
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
J, Q = Region.JIASHAN, Region.QINGPU
F, A = Domain.FILING, Domain.ALERTS


@pytest.fixture(scope="session")
def console(provider, cluster, tmp_path_factory):
    """The operations page (`yrd console`) trusting the suite's provider; no Prometheus behind it."""
    folder = tmp_path_factory.mktemp("console")
    env = {**cluster.env(), "YRD_DATA_DIR": str(folder), "YRD_PROMETHEUS_URL": "http://127.0.0.1:9"}
    log = open(folder / "console.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "yrd.cli", "console", "--port", str(IDENTITY_BASE)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{IDENTITY_BASE}"
    try:
        eventually(lambda: httpx.get(url + "/healthz").status_code == 200, timeout=30, ignoring=(httpx.HTTPError,))
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _provider_login(driver, username: str, password: str) -> None:
    """Keycloak's own login form, filled in as a person would."""
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "username"))
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "kc-login").click()


@pytest.fixture(scope="session")
def own_key(provider):
    """An RSA key of the test's own, imported into Qingpu's realm at the lowest priority: published in the
    realm's JWKS (so the instances trust it as the provider's), never used by Keycloak to sign, and so the
    way to make tokens whose claims Keycloak would never issue (not yet valid, wrong audience...)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = add_rsa_key(provider.admin(), Q.value, "test-own-key", priority=1, key=key)
    return key, kid


def _forged(provider: Provider, own_key, **changes) -> str:
    key, kid = own_key
    now = datetime.now(UTC)
    claims = {
        "iss": provider.issuer(Q),
        "aud": "yrd",
        "sub": "forged",
        "region": "qingpu",
        "realm_access": {"roles": ["agency_system"]},
        "agency": "qingpu-court-system",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    } | changes
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256", headers={"kid": kid})


def _as(cluster: Cluster, region: Region, service: Domain, token: str) -> httpx.Client:
    return cluster.client(region, service, token)


def _refused(answer: httpx.Response, detail: str) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert detail in answer.json()["detail"]


def test_a_client_credentials_token_creates_a_filing_and_reads_it_back(provider, cluster):
    token = provider.client_token(J, "jiashan-court-system")
    created = _as(cluster, J, F, token).post("/filings", json=filing_body(court="qingpu"))
    assert created.status_code == 202, created.text
    filing_id = created.json()["id"]
    read = _as(cluster, J, F, token).get(f"/filings/{filing_id}")
    assert read.status_code == 200, read.text
    assert read.json()["id"] == filing_id and read.json()["court_region"] == "qingpu"


def test_a_valid_token_of_the_issuers_own_keys_passes(provider, cluster, own_key):
    """The control of the forged cases below: the test's own key with honest claims is accepted."""
    answer = _as(cluster, Q, A, _forged(provider, own_key)).get("/alerts")
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"exp": datetime.now(UTC) - timedelta(minutes=1)}, "expired"),
        ({"nbf": datetime.now(UTC) + timedelta(minutes=10)}, "not yet valid"),
        ({"aud": "account"}, "audience"),
        ({"aud": None}, "invalid token"),
        ({"region": "jiashan"}, "region claim does not match issuer"),
        ({"agency": "jiashan-police-dispatch"}, "agency jiashan-police-dispatch is not of the token's region"),
    ],
    ids=["expired", "not-yet-valid", "wrong-audience", "no-audience", "region-of-another-issuer", "agency-elsewhere"],
)
def test_bad_claims_are_401(provider, cluster, own_key, changes, detail):
    _refused(_as(cluster, Q, A, _forged(provider, own_key, **changes)).get("/alerts"), detail)


def test_a_token_of_an_issuer_not_in_the_trust_list_is_401(provider, cluster):
    admin_token = provider.admin().http.headers["authorization"].split()[1]  # the master realm's
    _refused(_as(cluster, Q, A, admin_token).get("/alerts"), "unknown issuer")


def test_a_token_claiming_another_realms_issuer_is_401(provider, cluster, own_key):
    """Signed by a key of Qingpu's realm but naming Jiashan's issuer: Jiashan's keys do not have it."""
    _refused(
        _as(cluster, J, A, _forged(provider, own_key, iss=provider.issuer(J))).get("/alerts"), "unknown signing key"
    )


def test_an_unknown_kid_is_401(provider, cluster, own_key):
    key, _ = own_key
    claims = jwt.decode(_forged(provider, own_key), options={"verify_signature": False})
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "no-such-key"})
    _refused(_as(cluster, Q, A, token).get("/alerts"), "unknown signing key")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_tampered_token_is_401(provider, cluster):
    token = provider.client_token(Q, "qingpu-law-firm")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["agency"] = "qingpu-police-dispatch"  # another agency's reach, signature kept
    _refused(_as(cluster, Q, A, f"{header}.{_b64(claims)}.{signature}").get("/alerts"), "bad signature")


def test_an_alg_none_token_is_401(provider, cluster):
    token = provider.client_token(Q, "qingpu-law-firm")
    claims = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)
    unsigned = f"{_b64(header | {'alg': 'none'})}.{_b64(claims)}."
    _refused(_as(cluster, Q, A, unsigned).get("/alerts"), "algorithm not accepted")


def test_a_qingpu_realm_token_acting_on_a_jiashan_only_action_is_403(provider, cluster):
    qingpu = provider.client_token(Q, "qingpu-court-system")
    refused = _as(cluster, J, F, qingpu).post("/filings", json=filing_body(court="jiashan"))
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    jiashan = provider.client_token(J, "jiashan-court-system")
    assert _as(cluster, J, F, jiashan).post("/filings", json=filing_body(court="jiashan")).status_code == 202


def test_an_expired_provider_token_is_401(provider, cluster):
    """Keycloak's own expiry: a client whose tokens live one second, presented after the leeway."""
    admin = provider.admin()
    secret = add_client(admin, Q, "short-lived", attributes={"access.token.lifespan": "1"})
    token = provider.client_token(Q, "short-lived", secret)
    time.sleep(7)  # past `exp` and the five seconds of leeway for clock skew
    _refused(_as(cluster, Q, A, token).get("/alerts"), "token expired")


def test_the_python_client_fetches_keeps_and_renews_a_client_credentials_token(provider, cluster):
    mappers = realms.realm(J)["clients"][-1]["protocolMappers"]  # an agency client's: audience, region, agency
    settings = {"attributes": {"access.token.lifespan": "6"}, "protocolMappers": mappers}
    secret = add_client(provider.admin(), J, "renewing", **settings)
    auth = ClientCredentials.discover(provider.issuer(J), "renewing", secret, renew_before=30)
    first = auth()
    assert auth() == first  # kept while it is young
    time.sleep(3.5)  # past half its six-second life: renewed before it could expire on the way
    assert auth() != first
    with Client(cluster.url(J, F), auth) as filing:
        answer = filing.http.get("/filings")
        assert answer.status_code == 403, answer.text  # authenticated; its client has none of the policy's roles


def test_an_agency_system_files_through_the_python_client_with_client_credentials(provider, cluster):
    secret = client_secret("jiashan-court-system", provider.idp_dir)
    auth = ClientCredentials.discover(provider.issuer(J), "jiashan-court-system", secret)
    with Client(cluster.url(J, F), auth) as filing:
        created = filing.filing.submit(models.SubmitFiling.model_validate(filing_body(court="wujiang")))
        assert filing.filing.get(created.id).court_region == "wujiang"


def test_yrd_token_from_idp_prints_a_token_the_instances_accept(provider, cluster):
    env = {**cluster.env(J), "YRD_IDP_DIR": str(provider.idp_dir)}
    printed = subprocess.run(
        [sys.executable, "-m", "yrd.cli", "token", "--from-idp", "--region", "jiashan", "--client",
         "jiashan-court-system"], env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.strip()  # fmt: skip
    assert jwt.decode(printed, options={"verify_signature": False})["iss"] == provider.issuer(J)
    assert _as(cluster, J, F, printed).post("/filings", json=filing_body()).status_code == 202


def test_the_kafka_command_path_accepts_the_providers_tokens(provider, cluster, kafka):
    auth = ClientCredentials.discover(
        provider.issuer(J), "jiashan-court-system", client_secret("jiashan-court-system", provider.idp_dir)
    )
    sasl = ("jiashan-agency", password_of(DEV_CREDENTIALS, "jiashan-agency"))
    with Commands(
        kafka.bootstrap, "jiashan", "filing", auth, source="/agency/jiashan-court-system",
        topic_prefix=cluster.prefix, sasl=sasl,
    ) as commands:  # fmt: skip
        outcome = commands.submit("submit", models.SubmitFiling.model_validate(filing_body()))
    assert outcome.ok and outcome.status == 202, outcome


def test_a_police_agency_system_reports_a_sighting_on_an_alert_that_targets_its_region(provider, cluster):
    officer = cluster.client(J, A, token(J, Role.POLICE_OFFICER))
    raised = officer.post("/alerts", json=alert_body(severity="III", targets=["qingpu"]))
    assert raised.status_code in (201, 202), raised.text
    alert_id = raised.json()["id"]
    police = _as(cluster, Q, A, provider.client_token(Q, "qingpu-police-dispatch"))
    eventually(lambda: police.get(f"/alerts/{alert_id}").status_code == 200, what="the alert, read by Qingpu's police")
    sighting = {
        "seen_at": datetime.now(UTC).isoformat(),
        "details": "车牌识别：苏E12345 驶入318国道",
        "location": {"lat": 31.1, "lon": 121.0, "address": "上海市青浦区金泽镇318国道"},
    }
    reported = police.post(f"/alerts/{alert_id}/sightings", json=sighting)
    assert reported.status_code == 201, reported.text
    firm = _as(cluster, Q, A, provider.client_token(Q, "qingpu-law-firm"))  # a law firm is not the police
    assert firm.post(f"/alerts/{alert_id}/sightings", json=sighting).status_code == 403


def test_the_operations_page_signs_in_through_the_providers_login_form_and_out_again(provider, console):
    driver = browser()
    try:
        driver.get(console + "/")
        wait = WebDriverWait(driver, 30)
        wait.until(lambda d: d.find_element(By.ID, "login").is_displayed())
        driver.find_element(By.ID, "signin-qingpu").click()
        _provider_login(driver, "operator", user_password(Q, "operator", provider.idp_dir))
        wait.until(lambda d: d.find_element(By.ID, "board").is_displayed())
        assert not driver.find_element(By.ID, "login").is_displayed()
        cookie = next(c for c in driver.get_cookies() if c["name"] == "yrd_console")
        assert cookie["httpOnly"] and cookie["value"].count(".") < 2  # a session id, not a JWT
        who = driver.execute_script("return fetch('/auth/session').then(a => a.json())")
        assert (who["region"], who["roles"]) == ("qingpu", ["operator"])

        driver.find_element(By.ID, "logout").click()
        wait.until(lambda d: d.find_element(By.ID, "login").is_displayed())
        assert httpx.get(console + "/api/overview", cookies={"yrd_console": cookie["value"]}).status_code == 401
        driver.find_element(By.ID, "signin-qingpu").click()  # the provider's session ended too: it asks again
        wait.until(lambda d: d.find_elements(By.ID, "username") and d.find_element(By.ID, "password").is_displayed())

        _provider_login(driver, "window_clerk", user_password(Q, "window_clerk", provider.idp_dir))
        wait.until(lambda d: "signin=refused" in d.current_url and d.find_element(By.ID, "login").is_displayed())
        assert "Not an operator" in driver.find_element(By.ID, "login-error").text
    finally:
        driver.quit()


def test_the_daily_digest_signs_in_to_the_operations_page_with_its_own_client(provider, console):
    with httpx.Client(base_url=console, timeout=30) as script:  # as the digest's job does (schedule.run_digest)
        assert script.post("/login", json={"token": provider.client_token(Q, "yrd-digest")}).status_code == 204
        who = script.get("/auth/session").json()
        assert (who["region"], who["roles"]) == ("qingpu", ["operator"])
        assert script.get("/api/deliveries").status_code == 200
    clerk = provider.client_token(J, "jiashan-court-system")  # an agency system is no operator
    assert httpx.post(console + "/login", json={"token": clerk}).status_code == 401


def _code_for(browser: httpx.Client, console: str, username: str, password: str) -> str:
    """A login begun by `browser` at the console and completed at Qingpu's login form, as its HTML asks:
    the callback URL the provider sends the browser back to (with its state and code), not yet followed."""
    answer = browser.get(f"{console}/auth/login", params={"region": "qingpu"})
    assert answer.status_code == 303, answer.text
    answer = browser.get(answer.headers["location"])
    if answer.status_code == 200:  # the provider's form (no sign-in of this browser there yet)
        action = html.unescape(re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', answer.text)[1])
        # Keycloak marks its cookies Secure, which a browser still sends to loopback over plain HTTP; httpx does not
        sent = "; ".join(c.split(";", 1)[0] for c in answer.headers.get_list("set-cookie"))
        answer = browser.post(action, data={"username": username, "password": password}, headers={"cookie": sent})
    assert answer.status_code == 302 and "/auth/callback?" in answer.headers["location"], answer.text[:300]
    return answer.headers["location"]


def test_a_login_is_finished_only_by_the_browser_that_began_it(provider, console):
    """Login CSRF: someone completes a login of their own at the provider and sends the callback URL (a
    valid state and code) to another person's browser: that browser gets no session, the starter does."""
    password = user_password(Q, "operator", provider.idp_dir)
    with httpx.Client() as starter, httpx.Client() as victim:
        callback = _code_for(starter, console, "operator", password)
        refused = victim.get(callback)
        assert refused.status_code == 303 and refused.headers["location"].endswith("?signin=failed")
        assert "yrd_console" not in victim.cookies
        assert victim.get(f"{console}/auth/session").status_code == 401

        own = starter.get(_code_for(starter, console, "operator", password))
        assert own.status_code == 303 and own.headers["location"] == "/", own.headers
        who = starter.get(f"{console}/auth/session")
        assert who.status_code == 200 and who.json()["roles"] == ["operator"]


def test_a_pages_session_outlives_its_access_token_by_refreshing_it(provider, console):
    """The console's tokens made to live 10 s: the page keeps polling past that, and the session stays
    open because the console refreshed its token (5 minutes in the realm as generated)."""
    admin = provider.admin()
    client = admin.client_uuid(Q.value, "yrd-console")
    settings = admin.call("GET", f"/{Q.value}/clients/{client}").json()
    settings["attributes"]["access.token.lifespan"] = "10"
    admin.call("PUT", f"/{Q.value}/clients/{client}", json=settings)
    driver = browser()
    try:
        driver.get(console + "/")
        WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "login").is_displayed())
        driver.find_element(By.ID, "signin-qingpu").click()
        _provider_login(driver, "supervisor", user_password(Q, "supervisor", provider.idp_dir))
        WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "board").is_displayed())
        time.sleep(17)  # the first token expired after 10 s (and 5 s of leeway); the page polled all along
        who = driver.execute_script("return fetch('/auth/session').then(a => a.json())")
        assert who.get("roles") == ["supervisor"], who
        assert driver.find_element(By.ID, "board").is_displayed()
    finally:
        driver.quit()


def test_a_key_rotation_at_the_provider_is_followed_without_a_restart(provider, cluster):
    admin = provider.admin()
    before = provider.client_token(Q, "qingpu-police-dispatch")
    assert _as(cluster, Q, A, before).get("/alerts").status_code == 200
    old_kid = jwt.get_unverified_header(before)["kid"]
    unused_old = provider.client_token(Q, "qingpu-police-dispatch")  # signed with the old key, never shown yet

    new_kid = add_rsa_key(admin, Q.value, "rotated", priority=500)
    assert remove_rsa_keys_except(admin, Q.value, keep="rotated")  # the old key (and the test's own) gone
    after = provider.client_token(Q, "qingpu-police-dispatch")
    assert jwt.get_unverified_header(after)["kid"] == new_kid != old_kid

    # The instance refetches the keys on the unknown kid (at most every 2 s in this suite's trust file).
    eventually(lambda: _as(cluster, Q, A, after).get("/alerts").status_code == 200, timeout=20, what="new key")
    _refused(_as(cluster, Q, A, unused_old).get("/alerts"), "unknown signing key")
