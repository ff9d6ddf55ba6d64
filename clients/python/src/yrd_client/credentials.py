"""OAuth 2.0 client credentials for agency systems: a token from the region's identity provider, kept and
renewed before it expires. An instance of ClientCredentials is a Token (a function giving the current
bearer token): pass it to Client, AsyncClient or Commands wherever a token string goes.

    from yrd_client import Client, ClientCredentials
    auth = ClientCredentials.discover("http://127.0.0.1:8080/realms/jiashan", "jiashan-court-system", secret)
    with Client("http://127.0.0.1:8101", auth) as filing:
        ...
"""

from __future__ import annotations

import threading
import time

import httpx


class TokenRefused(Exception):
    """The identity provider refused the client's credentials (or answered no token)."""


class ClientCredentials:
    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        renew_before: float = 30.0,
        timeout: float = 10.0,
    ) -> None:
        """`renew_before`: seconds before expiry at which a new token is fetched (at most half its life), so a
        request never leaves with a token that expires on the way."""
        self.token_url, self.client_id, self.client_secret = token_url, client_id, client_secret
        self.scope, self.renew_before, self.timeout = scope, renew_before, timeout
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = threading.Lock()

    @classmethod
    def discover(
        cls, issuer: str, client_id: str, client_secret: str, **options: float | str | None
    ) -> ClientCredentials:
        """The token endpoint from the issuer's OpenID Connect metadata (`/.well-known/openid-configuration`)."""
        metadata = httpx.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=10)
        metadata.raise_for_status()
        return cls(metadata.json()["token_endpoint"], client_id, client_secret, **options)  # type: ignore[arg-type]

    def __call__(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._renew_at:
                self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """Forget the kept token (the next call fetches one): for a 401 after a key rotation or a revocation."""
        with self._lock:
            self._token = None

    def _fetch(self) -> None:
        data = {"grant_type": "client_credentials"}
        if self.scope:
            data["scope"] = self.scope
        started = time.monotonic()
        answer = httpx.post(self.token_url, data=data, auth=(self.client_id, self.client_secret), timeout=self.timeout)
        if answer.status_code != 200 or "access_token" not in answer.json():
            raise TokenRefused(
                f"{self.token_url} refused client {self.client_id}: {answer.status_code} {answer.text[:200]}"
            )
        body = answer.json()
        lifetime = float(body.get("expires_in", 60))
        self._token = body["access_token"]
        self._renew_at = started + lifetime - min(self.renew_before, lifetime / 2)
