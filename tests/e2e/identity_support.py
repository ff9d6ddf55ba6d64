"""The test suite's own identity provider: Keycloak started by deploy/keycloak/start.sh, as `make run` starts
it, on a port, state folder and secrets folder of the suite's own (the running system's provider on 8080 is
never touched), and what the identity tests ask of it through its admin API."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.adapters.idp.provider import Admin, client_secret
from shared.adapters.oidc import keycloak_entry, keycloak_issuer
from shared.contracts.regions import Region
from shared.core.settings import ROOT
from tests.instances import KEYS, PORT_BASE

IDENTITY_BASE = PORT_BASE + 2000  # the identity suite's instances: apart from the other suites' ports
KEYCLOAK_PORT = IDENTITY_BASE + 80


@dataclass
class Provider:
    url: str
    state: Path
    idp_dir: Path
    start_seconds: float

    def env(self) -> dict[str, str]:
        return {**os.environ, "KC_PORT": self.url.rsplit(":", 1)[1], "KC_STATE_DIR": str(self.state),
                "YRD_IDP_DIR": str(self.idp_dir)}  # fmt: skip

    def issuer(self, region: Region) -> str:
        return keycloak_issuer(self.url, region)

    def admin(self) -> Admin:
        return Admin(self.url, self.idp_dir)

    def client_token(self, region: Region, client_id: str, secret: str | None = None) -> str:
        """An access token by OAuth 2.0 client credentials, as an agency system gets one."""
        answer = httpx.post(
            f"{self.issuer(region)}/protocol/openid-connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret or client_secret(client_id, self.idp_dir),
            },
            timeout=30,
        )
        answer.raise_for_status()
        return answer.json()["access_token"]

    def stop(self) -> None:
        subprocess.run(["bash", str(ROOT / "deploy/keycloak/stop.sh")], env=self.env(), check=False, timeout=60)


def start_provider(state: Path) -> Provider:
    provider = Provider(f"http://127.0.0.1:{KEYCLOAK_PORT}", state, state / "idp", 0.0)
    started = time.monotonic()
    done = subprocess.run(
        ["bash", str(ROOT / "deploy/keycloak/start.sh")],
        env=provider.env(),
        capture_output=True,
        text=True,
        timeout=600,  # a busy machine: start.sh waits up to 300 s for the server, then imports
    )
    provider.start_seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"keycloak did not start:\n{done.stdout}\n{done.stderr}")
    return provider


def trust_file(provider: Provider, folder: Path) -> Path:
    """The development trust file, its providers moved to this suite's Keycloak."""
    document = json.loads((KEYS / "trust.json").read_text())
    for region in Region:
        entry = keycloak_entry(provider.url, region)
        entry["refetch_seconds"] = 2  # a rotation is followed within the test's patience
        document["regions"][region.value]["providers"] = [entry]
    path = folder / "trust.json"
    path.write_text(json.dumps(document, indent=2))
    return path


def add_client(admin: Admin, region: Region, client_id: str, **settings: Any) -> str:
    """A confidential client of the test's own (service account, role agency_system); returns its secret."""
    secret = f"{client_id}-secret-{os.urandom(8).hex()}"
    body = {
        "clientId": client_id,
        "secret": secret,
        "publicClient": False,
        "serviceAccountsEnabled": True,
        "standardFlowEnabled": False,
        **settings,
    }
    admin.call("POST", f"/{region.value}/clients", json=body)
    return secret


def add_rsa_key(admin: Admin, realm: str, name: str, priority: int, key: rsa.RSAPrivateKey | None = None) -> str:
    """A signing key component at the realm (Keycloak generates one unless `key` is given); returns its kid."""
    config: dict[str, list[str]] = {"priority": [str(priority)], "active": ["true"], "enabled": ["true"]}
    provider_id = "rsa-generated"
    if key is not None:
        provider_id = "rsa"
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
        config["privateKey"] = [pem.decode()]
    realm_id = admin.call("GET", f"/{realm}").json()["id"]
    admin.call(
        "POST",
        f"/{realm}/components",
        json={
            "name": name,
            "providerId": provider_id,
            "providerType": "org.keycloak.keys.KeyProvider",
            "parentId": realm_id,
            "config": config,
        },
    )
    return kid_of(admin, realm, name)


def kid_of(admin: Admin, realm: str, component_name: str) -> str:
    components = admin.call("GET", f"/{realm}/components", params={"name": component_name}).json()
    keys = admin.call("GET", f"/{realm}/keys").json()["keys"]
    return next(k["kid"] for k in keys if k["providerId"] == components[0]["id"] and k.get("use") == "SIG")


def remove_rsa_keys_except(admin: Admin, realm: str, keep: str) -> list[str]:
    """Delete every RSA signing key component but `keep` (by name); returns the names removed."""
    removed = []
    for component in admin.call("GET", f"/{realm}/components", params={"type": "org.keycloak.keys.KeyProvider"}).json():
        if component["providerId"] in ("rsa-generated", "rsa") and component["name"] != keep:
            admin.call("DELETE", f"/{realm}/components/{component['id']}")
            removed.append(component["name"])
    return removed
