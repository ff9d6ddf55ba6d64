"""`yrd token --from-idp`: an access token of an agency client, by OAuth 2.0 client credentials at its
region's identity provider (the one the trust file names for that region, its token endpoint discovered),
for scripts; agency programs use the Python client's ClientCredentials, which also renews it."""

from __future__ import annotations

from pathlib import Path

import httpx

from shared.adapters.idp.provider import IDP_DIR
from shared.adapters.tokens import TrustList
from shared.contracts.regions import Region


class NoToken(Exception):
    """Why no token could be had, in words for the terminal."""


def issuer_of_region(trust_file: Path, region: Region) -> str:
    issuers = [p.issuer for p in TrustList.load(trust_file).providers.values() if p.region is region]
    if not issuers:
        raise NoToken(f"the trust file {trust_file} names no identity provider for {region.value}")
    return issuers[0]


def client_token(
    trust_file: Path, region: Region, client_id: str, secret_file: Path | None = None, idp_dir: Path = IDP_DIR
) -> str:
    secret_path = secret_file or idp_dir / "clients" / client_id
    if not secret_path.exists():
        raise NoToken(f"no secret for client {client_id} in {secret_path} (the provider makes it at its first start)")
    issuer = issuer_of_region(trust_file, region)
    try:
        metadata = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
        metadata.raise_for_status()
        answer = httpx.post(
            metadata.json()["token_endpoint"],
            data={"grant_type": "client_credentials"},
            auth=(client_id, secret_path.read_text().strip()),
            timeout=10,
        )
    except httpx.HTTPError as error:
        raise NoToken(f"the identity provider at {issuer} did not answer: {error}") from None
    if answer.status_code != 200:
        raise NoToken(f"the identity provider refused client {client_id}: {answer.text[:300]}")
    return answer.json()["access_token"]
