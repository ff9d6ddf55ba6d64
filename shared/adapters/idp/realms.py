"""The development identity provider's realms, one per region, generated from the project's own lists: the
policy's roles (realm roles and one development user each), the region catalogue (realm names, the `region`
claim) and the agency catalogue (one confidential client with a service account per agency).

The files written to deploy/keycloak/realms/ hold no secret: user passwords and client secrets are filled in
from `.cache/idp/` when the realm is imported (shared/adapters/idp/provider.py). A unit test fails when the
committed files drift from what this module generates: `python -m shared.adapters.idp.realms` rewrites them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shared.contracts.agencies import Agency, agencies_of
from shared.contracts.regions import REGIONS, Region
from shared.rules.policy import Role

REALMS_DIR = Path(__file__).resolve().parents[3] / "deploy" / "keycloak" / "realms"
AUDIENCE = "yrd"  # every access token names the instances as its audience
ACCESS_TOKEN_SECONDS = 300
PAGE_CLIENTS = ("yrd-console", "yrd-desk")  # public clients of the pages: authorization code + PKCE
# The pages run on loopback; Keycloak matches a loopback redirect on any port (RFC 8252 §7.3).
PAGE_REDIRECTS = ["http://127.0.0.1/*", "http://localhost/*"]
# The zone's own programs that act without a person, by client credentials, in the realm of the region that
# runs them: the daily digest is drawn by the operations process (Qingpu's) from the operations page.
ZONE_CLIENTS: dict[str, tuple[Region, Role, str]] = {
    "yrd-digest": (Region.QINGPU, Role.OPERATOR, "the daily digest: reads the operations page each morning"),
}


def _claim(name: str, config: dict[str, str]) -> dict[str, Any]:
    return {
        "name": name,
        "protocol": "openid-connect",
        "config": {"access.token.claim": "true", "id.token.claim": "true", "introspection.token.claim": "true"}
        | config,
    }


def _mappers(region: Region, agency: Agency | None = None) -> list[dict[str, Any]]:
    """The claims the instances read: audience `yrd`, the realm's `region`, and an agency client's `agency`."""
    audience = _claim("audience yrd", {"included.custom.audience": AUDIENCE, "id.token.claim": "false"})
    audience["protocolMapper"] = "oidc-audience-mapper"
    found = [audience, _hardcoded("region", region.value)]
    if agency is not None:
        found.append(_hardcoded("agency", agency.id))
    return found


def _hardcoded(claim: str, value: str) -> dict[str, Any]:
    mapper = _claim(claim, {"claim.name": claim, "claim.value": value, "jsonType.label": "String"})
    mapper["protocolMapper"] = "oidc-hardcoded-claim-mapper"
    mapper["config"]["userinfo.token.claim"] = "true"
    return mapper


def _page_client(client_id: str, region: Region) -> dict[str, Any]:
    return {
        "clientId": client_id,
        "name": client_id,
        "enabled": True,
        "publicClient": True,
        "standardFlowEnabled": True,
        "directAccessGrantsEnabled": False,
        "implicitFlowEnabled": False,
        "serviceAccountsEnabled": False,
        "redirectUris": PAGE_REDIRECTS,
        "webOrigins": ["+"],
        "attributes": {"pkce.code.challenge.method": "S256", "post.logout.redirect.uris": "+"},
        "protocolMappers": _mappers(region),
    }


def _confidential_client(client_id: str, name: str, description: str, mappers: list[dict[str, Any]]) -> dict[str, Any]:
    """A program's client: a secret, a service account, no person's login."""
    return {
        "clientId": client_id,
        "name": name,
        "description": description,
        "enabled": True,
        "publicClient": False,
        "clientAuthenticatorType": "client-secret",
        "serviceAccountsEnabled": True,
        "standardFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "implicitFlowEnabled": False,
        "protocolMappers": mappers,
    }


def _agency_client(agency: Agency) -> dict[str, Any]:
    client = _confidential_client(
        agency.id, agency.name, f"agency system ({agency.kind.value})", _mappers(agency.region, agency)
    )
    return client | {"attributes": {"agency": agency.id, "agency.kind": agency.kind.value}}


def _zone_clients(region: Region) -> list[tuple[str, Role, str]]:
    return [(cid, role, text) for cid, (home, role, text) in ZONE_CLIENTS.items() if home is region]


def _user(role: Role, region: Region) -> dict[str, Any]:
    return {
        "username": role.value,
        "enabled": True,
        "emailVerified": True,
        "email": f"{role.value}@{region.value}.yrd.test",
        "firstName": role.value.replace("_", " ").title(),
        "lastName": region.value.title(),
        "realmRoles": [role.value],
    }


def _service_account(client_id: str, role: Role = Role.AGENCY_SYSTEM) -> dict[str, Any]:
    return {
        "username": f"service-account-{client_id}",
        "enabled": True,
        "serviceAccountClientId": client_id,
        "realmRoles": [role.value],
    }


def realm(region: Region) -> dict[str, Any]:
    agencies = agencies_of(region)
    return {
        "realm": region.value,
        "displayName": f"YRD Legal Link · {REGIONS[region].name_zh}",
        "enabled": True,
        "sslRequired": "external",
        "accessTokenLifespan": ACCESS_TOKEN_SECONDS,
        "registrationAllowed": False,
        "resetPasswordAllowed": False,
        "bruteForceProtected": True,
        "roles": {"realm": [{"name": r.value, "description": f"YRD Legal Link policy role {r.value}"} for r in Role]},
        "clients": [_page_client(c, region) for c in PAGE_CLIENTS]
        + [_agency_client(a) for a in agencies]
        + [_confidential_client(cid, cid, text, _mappers(region)) for cid, _, text in _zone_clients(region)],
        "users": [_user(r, region) for r in Role]
        + [_service_account(a.id) for a in agencies]
        + [_service_account(cid, role) for cid, role, _ in _zone_clients(region)],
    }


def rendered(region: Region) -> str:
    return json.dumps(realm(region), indent=2, ensure_ascii=False) + "\n"


def realm_file(region: Region, directory: Path = REALMS_DIR) -> Path:
    return directory / f"{region.value}.json"


def write(directory: Path = REALMS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for region in Region:
        path = realm_file(region, directory)
        path.write_text(rendered(region))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write(Path(sys.argv[1]) if len(sys.argv) > 1 else REALMS_DIR):
        print(path)
