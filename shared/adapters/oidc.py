"""Access tokens of a region's OpenID Connect provider, verified against the keys it publishes.

The trust file names, per region, the provider's issuer and JWKS URI (and, for a provider that is not the
development Keycloak, where its claims are): keys are fetched by PyJWT's PyJWKClient, kept for
`jwks_seconds`, and fetched again on an unknown `kid` at most every `refetch_seconds`, so a rotation at the
provider is followed without a restart and a stream of made-up `kid`s cannot make an instance hammer it.
Only the algorithms named in the entry are accepted (asymmetric ones; never `none`, never an HMAC whose
"secret" would be the public key), and the key's own `alg` must agree with the token's.

A provider that cannot be reached must not hold up anyone else: a failed key fetch is remembered, and until
its backoff (doubling from `backoff_seconds` to `backoff_max_seconds`) has passed, a token that needs the
keys fetched is refused at once without trying again; a verification waits for another one's fetch of the
same provider's keys at most as long as that fetch may take (`fetch_timeout_seconds`), then learns its outcome.

An `agency` claim naming an agency the catalogue (shared/contracts/agencies.py) places in another region is
refused (401): an agency acts only through its own region's provider.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from jwt import PyJWKClient

from shared.contracts.agencies import agency as catalogued_agency
from shared.contracts.regions import Region
from shared.rules.policy import Role

AUDIENCE = "yrd"
ALGORITHMS = ("RS256", "ES256", "EdDSA")
ACCEPTABLE = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
# Where Keycloak puts what the policy needs; another provider's entry names its own claims.
DEFAULT_CLAIMS = {"subject": "sub", "region": "region", "roles": "realm_access.roles", "agency": "agency"}


class OidcRefused(Exception):
    """Why a provider's token is refused, in words safe to return."""


def agency_refusal(agency: str | None, region: Region) -> str | None:
    """Why a token of `region` may not claim `agency` (a catalogued agency of another region); None if it may."""
    known = catalogued_agency(agency)
    if known is not None and known.region is not region:
        return f"agency {agency} is not of the token's region ({region.value})"
    return None


def keycloak_issuer(base_url: str, region: Region) -> str:
    return f"{base_url.rstrip('/')}/realms/{region.value}"


def keycloak_entry(base_url: str, region: Region) -> dict[str, Any]:
    """The trust file's entry for one region's realm at a Keycloak (the development provider)."""
    issuer = keycloak_issuer(base_url, region)
    return {"issuer": issuer, "jwks_uri": f"{issuer}/protocol/openid-connect/certs"}


def claim(claims: Mapping[str, Any], path: str | None) -> Any:
    """A claim by dotted path (`realm_access.roles`); None where it is absent."""
    if not path:
        return None
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


@dataclass(frozen=True)
class Claims:
    """What the policy needs from a token, read by the claim names the entry maps."""

    subject: str
    region: Region
    roles: frozenset[Role]
    agency: str | None
    token_id: str | None
    expires_at: float


@dataclass
class Provider:
    region: Region
    issuer: str
    jwks_uri: str
    audience: str = AUDIENCE
    algorithms: tuple[str, ...] = ALGORITHMS
    claims: dict[str, str | None] = field(default_factory=lambda: dict(DEFAULT_CLAIMS))
    role_map: dict[str, str] = field(default_factory=dict)  # the provider's role name -> the policy's
    jwks_seconds: float = 300
    refetch_seconds: float = 5
    leeway: int = 5
    fetch_timeout_seconds: float = 5
    backoff_seconds: float = 2
    backoff_max_seconds: float = 60
    _keys: PyJWKClient | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _failures: int = field(default=0, repr=False)
    _down_until: float = field(default=0.0, repr=False)

    @classmethod
    def of(cls, region: Region, entry: Mapping[str, Any]) -> Provider:
        algorithms = tuple(entry.get("algorithms", ALGORITHMS))
        if not algorithms or not set(algorithms) <= ACCEPTABLE:
            raise ValueError(f"trust file: {region.value} provider algorithms must be among {sorted(ACCEPTABLE)}")
        return cls(
            region=region,
            issuer=entry["issuer"],
            jwks_uri=entry["jwks_uri"],
            audience=entry.get("audience", AUDIENCE),
            algorithms=algorithms,
            claims={**DEFAULT_CLAIMS, **entry.get("claims", {})},
            role_map=dict(entry.get("role_map", {})),
            jwks_seconds=float(entry.get("jwks_seconds", 300)),
            refetch_seconds=float(entry.get("refetch_seconds", 5)),
            fetch_timeout_seconds=float(entry.get("fetch_timeout_seconds", 5)),
            backoff_seconds=float(entry.get("backoff_seconds", 2)),
        )

    @property
    def keys(self) -> PyJWKClient:
        if self._keys is None:
            self._keys = PyJWKClient(
                self.jwks_uri,
                lifespan=self.jwks_seconds,
                cooldown_duration=self.refetch_seconds,
                timeout=self.fetch_timeout_seconds,
            )
        return self._keys

    def signing_key(self, kid: str) -> jwt.PyJWK:
        """The provider's key of this `kid`, fetched if need be, unless a fetch failed too recently.
        Raises OidcRefused (keys unavailable) or PyJWKClientError (no such key)."""
        if time.monotonic() < self._down_until:
            raise OidcRefused("the issuer's keys could not be fetched")
        if not self._lock.acquire(timeout=self.fetch_timeout_seconds + 1):  # another fetch of these keys hangs
            raise OidcRefused("the issuer's keys could not be fetched")
        try:
            if time.monotonic() < self._down_until:  # it failed while this one waited
                raise OidcRefused("the issuer's keys could not be fetched")
            try:
                key = self.keys.get_signing_key(kid)
            except jwt.PyJWKClientConnectionError:
                self._failures += 1
                backoff = min(self.backoff_seconds * 2 ** (self._failures - 1), self.backoff_max_seconds)
                self._down_until = time.monotonic() + backoff
                raise OidcRefused("the issuer's keys could not be fetched") from None
            self._failures, self._down_until = 0, 0.0
            return key
        finally:
            self._lock.release()

    def verify(self, token: str, header: Mapping[str, Any]) -> Claims:
        algorithm = header.get("alg")
        if algorithm not in self.algorithms:
            raise OidcRefused("token algorithm not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise OidcRefused("token names no key")
        try:
            key = self.signing_key(kid)
        except jwt.PyJWKClientError:
            raise OidcRefused("unknown signing key") from None
        if key.algorithm_name != algorithm:
            raise OidcRefused("token algorithm does not match its key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise OidcRefused("token expired") from None
        except jwt.ImmatureSignatureError:
            raise OidcRefused("token not yet valid") from None
        except jwt.InvalidAudienceError:
            raise OidcRefused("token is not for these services (audience)") from None
        except jwt.InvalidSignatureError:
            raise OidcRefused("bad signature") from None
        except jwt.PyJWTError as error:
            raise OidcRefused(f"invalid token: {type(error).__name__}") from None
        return self._mapped(claims)

    def _mapped(self, claims: Mapping[str, Any]) -> Claims:
        names = self.claims
        if names.get("region") and claim(claims, names["region"]) != self.region.value:
            raise OidcRefused("region claim does not match issuer")
        subject = claim(claims, names.get("subject"))
        if not isinstance(subject, str) or not subject:
            raise OidcRefused("token names no subject")
        granted = claim(claims, names.get("roles")) or []
        if isinstance(granted, str):
            granted = granted.split()
        known = {r.value for r in Role}
        # The provider's other roles (offline_access, its own defaults) are not the policy's: left out.
        roles = frozenset(Role(name) for r in granted if (name := self.role_map.get(r, r)) in known)
        agency = claim(claims, names.get("agency"))
        agency = agency if isinstance(agency, str) and agency else None
        if (refusal := agency_refusal(agency, self.region)) is not None:
            raise OidcRefused(refusal)
        return Claims(
            subject=subject,
            region=self.region,
            roles=roles,
            agency=agency,
            token_id=claims.get("jti"),
            expires_at=float(claims["exp"]),
        )
