"""The development identity provider's secrets, and its realms imported through Keycloak's admin REST API.

Secrets live in `.cache/idp/` (YRD_IDP_DIR), one file each, mode 0600, made on first use and never in git:
`admin` (the bootstrap administrator's password), `users/{region}-{role}` (each development user's password),
`clients/{agency}` (each agency client's secret). The committed realm files hold none of them: they are
filled into the realm when it is imported, and an existing realm is only completed (new clients, users and
roles are added; a secret whose file was just made is set anew), so keys and sessions survive a restart.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
from pathlib import Path
from typing import Any

import httpx

from shared.adapters.idp.realms import REALMS_DIR, realm_file
from shared.contracts.regions import Region

ROOT = Path(__file__).resolve().parents[3]
IDP_DIR = Path(os.environ.get("YRD_IDP_DIR", ROOT / ".cache" / "idp"))
ADMIN_USER = "admin"
DEFAULT_URL = "http://127.0.0.1:8080"


def secret(path: Path) -> tuple[str, bool]:
    """The secret kept in `path`, made (and True) if there was none."""
    if path.exists():
        return path.read_text().strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(value)
    return value, True


def user_password(region: Region, username: str, idp_dir: Path = IDP_DIR) -> str:
    return secret(idp_dir / "users" / f"{region.value}-{username}")[0]


def client_secret(client_id: str, idp_dir: Path = IDP_DIR) -> str:
    return secret(idp_dir / "clients" / client_id)[0]


def admin_password(idp_dir: Path = IDP_DIR) -> str:
    return secret(idp_dir / "admin")[0]


class Admin:
    """Keycloak's admin REST API, as the bootstrap administrator of the master realm."""

    def __init__(self, url: str, idp_dir: Path = IDP_DIR) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=f"{self.url}/admin/realms", timeout=30)
        answer = httpx.post(
            f"{self.url}/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": ADMIN_USER,
                "password": admin_password(idp_dir),
            },
            timeout=30,
        )
        answer.raise_for_status()
        self.http.headers["authorization"] = f"Bearer {answer.json()['access_token']}"

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        answer = self.http.request(method, path, **kwargs)
        answer.raise_for_status()
        return answer

    def exists(self, realm: str) -> bool:
        return self.http.get(f"/{realm}").status_code == 200

    def client_uuid(self, realm: str, client_id: str) -> str:
        return self.call("GET", f"/{realm}/clients", params={"clientId": client_id}).json()[0]["id"]

    def user_uuid(self, realm: str, username: str) -> str:
        return self.call("GET", f"/{realm}/users", params={"username": username, "exact": "true"}).json()[0]["id"]


def _with_secrets(document: dict[str, Any], region: Region, idp_dir: Path) -> tuple[dict[str, Any], list, list]:
    """The realm with every password and client secret filled in, and the users and clients whose secret
    file was only just made (an existing realm still has other values for them)."""
    fresh_users, fresh_clients = [], []
    for user in document["users"]:
        if "serviceAccountClientId" in user:
            continue
        value, made = secret(idp_dir / "users" / f"{region.value}-{user['username']}")
        user["credentials"] = [{"type": "password", "value": value, "temporary": False}]
        if made:
            fresh_users.append((user["username"], value))
    for client in document["clients"]:
        if client.get("publicClient"):
            continue
        value, made = secret(idp_dir / "clients" / client["clientId"])
        client["secret"] = value
        if made:
            fresh_clients.append((client["clientId"], value))
    return document, fresh_users, fresh_clients


def provision(url: str = DEFAULT_URL, realms_dir: Path = REALMS_DIR, idp_dir: Path = IDP_DIR) -> list[str]:
    """Import each region's realm, or complete an existing one. Returns what was done, one line each."""
    admin = Admin(url, idp_dir)
    done = []
    for region in Region:
        document = json.loads(realm_file(region, realms_dir).read_text())
        document, fresh_users, fresh_clients = _with_secrets(document, region, idp_dir)
        if not admin.exists(region.value):
            admin.call("POST", "", json=document)
            done.append(f"{region.value}: imported")
            continue
        settings = {k: v for k, v in document.items() if k not in ("users", "clients", "roles")}
        admin.call("PUT", f"/{region.value}", json=settings)
        part = {"ifResourceExists": "SKIP", **{k: document[k] for k in ("users", "clients", "roles")}}
        added = admin.call("POST", f"/{region.value}/partialImport", json=part).json().get("added", 0)
        for username, value in fresh_users:
            user = admin.user_uuid(region.value, username)
            admin.call("PUT", f"/{region.value}/users/{user}/reset-password", json={"type": "password", "value": value})
        for client_id, value in fresh_clients:
            client = admin.client_uuid(region.value, client_id)
            admin.call("PUT", f"/{region.value}/clients/{client}", json={"clientId": client_id, "secret": value})
        done.append(f"{region.value}: present ({added} added, {len(fresh_users) + len(fresh_clients)} secrets set)")
    return done


def answers(url: str) -> bool:
    """Whether a Keycloak serves its master realm's OpenID metadata at `url` (it is up)."""
    try:
        return (
            httpx.get(f"{url.rstrip('/')}/realms/master/.well-known/openid-configuration", timeout=2).status_code == 200
        )
    except httpx.HTTPError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description="the development identity provider's secrets and realms")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("admin-password", help="print the bootstrap administrator's password (made on first use)")
    probe = sub.add_parser("answers", help="exit 0 if a Keycloak answers OpenID metadata at --url")
    probe.add_argument("--url", default=DEFAULT_URL)
    run = sub.add_parser("provision", help="import the realms into a running Keycloak, or complete them")
    run.add_argument("--url", default=DEFAULT_URL)
    arguments = parser.parse_args()
    if arguments.command == "admin-password":
        print(admin_password())
    elif arguments.command == "answers":
        raise SystemExit(0 if answers(arguments.url) else 1)
    else:
        for line in provision(arguments.url):
            print(f"keycloak: realm {line}")


if __name__ == "__main__":
    main()
