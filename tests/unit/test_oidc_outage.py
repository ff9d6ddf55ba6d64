"""An identity provider that does not answer holds up no one: one try at its keys, then its tokens are refused
at once for a while; a development token is decided meanwhile without waiting for it; a token of an issuer
the trust list does not name never reaches the network."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.adapters.gate import VerifiedTokens
from shared.adapters.oidc import keycloak_entry, keycloak_issuer
from shared.adapters.tokens import InvalidToken, TrustList, init_dev_keys, load_private_key, mint, provider_of
from shared.contracts.regions import Region
from shared.rules.policy import Role


class Silent:
    """A listening port that accepts connections and never answers (a hung provider), counting them."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self.server.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def silent():
    provider = Silent()
    yield provider
    provider.close()


def _trust(tmp_path, url: str) -> TrustList:
    init_dev_keys(tmp_path)
    path = tmp_path / "trust.json"
    document = json.loads(path.read_text())
    for region in Region:
        entry = keycloak_entry(url, region) | {"fetch_timeout_seconds": 1.5, "backoff_seconds": 60}
        document["regions"][region.value]["providers"] = [entry]
    path.write_text(json.dumps(document))
    return TrustList.load(path)


def _provider_token(url: str, subject: str) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    claims = {"iss": keycloak_issuer(url, Region.QINGPU), "aud": "yrd", "sub": subject, "region": "qingpu",
              "iat": now, "exp": now + timedelta(minutes=5)}  # fmt: skip
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


def test_a_burst_of_tokens_of_a_silent_provider_tries_it_once_and_a_development_token_does_not_wait(tmp_path, silent):
    url = f"http://127.0.0.1:{silent.port}"
    trust = _trust(tmp_path, url)
    tokens = VerifiedTokens(trust)
    burst = [_provider_token(url, f"person-{n}") for n in range(3)] * 8  # 24 tokens, 3 distinct keys' worth
    development = mint(load_private_key(tmp_path, Region.JIASHAN), Region.JIASHAN, "clerk", [Role.WINDOW_CLERK])

    async def scenario():
        waiting = asyncio.gather(*(tokens.verified(t) for t in burst), return_exceptions=True)
        await asyncio.sleep(0.2)  # the first fetch is under way: the silent provider has taken the connection
        principal = await tokens.verified(development)
        burst_done_before = waiting.done()
        return principal, burst_done_before, await waiting

    principal, burst_done_before, refused = asyncio.run(scenario())
    assert principal.subject == "clerk" and principal.region is Region.JIASHAN
    assert not burst_done_before  # the development token was decided while the provider still hung
    assert all(isinstance(r, InvalidToken) and "could not be fetched" in str(r) for r in refused), refused
    assert len(silent.accepted) == 1  # one try at the keys, not one per token

    with pytest.raises(InvalidToken, match="could not be fetched"):
        asyncio.run(tokens.verified(_provider_token(url, "later")))
    assert len(silent.accepted) == 1  # within the backoff: not tried again


def test_a_closed_port_is_tried_once_then_its_tokens_are_refused_without_trying(tmp_path):
    closed = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    trust = _trust(tmp_path, url)
    tokens = VerifiedTokens(trust)
    for n in range(5):
        with pytest.raises(InvalidToken, match="could not be fetched"):
            asyncio.run(tokens.verified(_provider_token(url, f"p{n}")))
    qingpu = trust.providers[keycloak_issuer(url, Region.QINGPU)]
    assert qingpu._failures == 1 and qingpu._down_until > 0  # one failed fetch; the other four never tried


def test_only_a_providers_token_may_need_the_network(tmp_path):
    url = "http://127.0.0.1:9"
    trust = _trust(tmp_path, url)
    assert provider_of(_provider_token(url, "p"), trust) is trust.providers[keycloak_issuer(url, Region.QINGPU)]
    development = mint(load_private_key(tmp_path, Region.WUJIANG), Region.WUJIANG, "n", [Role.NOTARY])
    assert provider_of(development, trust) is None
    stranger = _provider_token("http://127.0.0.1:9/elsewhere", "p")
    assert provider_of(stranger, trust) is None
    assert provider_of("not.a.token", trust) is None
    with pytest.raises(InvalidToken, match="unknown issuer"):
        asyncio.run(VerifiedTokens(trust).verified(stranger))
