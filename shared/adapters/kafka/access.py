"""How this process reaches a cluster and who it is there: SASL/SCRAM-SHA-512 as one of the principals of
shared/rules/broker_access.py, and the grants applied to a broker.

Development credentials are made once under `.cache/kafka/credentials/` (one file per principal, mode
0600, never in git) and given to the broker when its storage is formatted (deploy/kafka/start.sh asks
`python -m shared.adapters.kafka.access broker-config DIR`). Production supplies each process its own
username and password file (YRD_KAFKA_USERNAME, YRD_KAFKA_PASSWORD_FILE).

`python -m shared.adapters.kafka.access broker-config DIR` prints the broker's SASL and authorizer
configuration; `scram-args DIR` prints `--add-scram` arguments for `kafka-storage format`, one per line.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourcePattern, ResourceType

from shared.rules.broker_access import ADMIN, CONTROLLER, Grant, Resource, scram_principals

MECHANISM = "SCRAM-SHA-512"
SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule"  # the JAAS module of Java clients and brokers
DEV_CREDENTIALS = Path(__file__).resolve().parents[3] / ".cache" / "kafka" / "credentials"  # in the checkout


def password_of(directory: Path, principal: str) -> str:
    """The principal's development password, made on first use."""
    path = directory / principal
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class KafkaAccess:
    """A cluster's bootstrap address and the identity used there (none: PLAINTEXT, an external cluster)."""

    bootstrap: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def of(cls, bootstrap: str, credentials: Path = DEV_CREDENTIALS, principal: str = ADMIN) -> KafkaAccess:
        return cls(bootstrap, principal, password_of(credentials, principal))

    def config(self) -> dict[str, Any]:
        """kafka-python client settings."""
        settings: dict[str, Any] = {"bootstrap_servers": self.bootstrap}
        if self.username is not None:
            settings |= {
                "security_protocol": "SASL_PLAINTEXT",
                "sasl_mechanism": MECHANISM,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        return settings

    def java_config(self, prefix: str = "") -> list[str]:
        """The same for a Java client (MirrorMaker), each key under `prefix`."""
        if self.username is None:
            return [f"{prefix}bootstrap.servers={self.bootstrap}"]
        return [
            f"{prefix}bootstrap.servers={self.bootstrap}",
            f"{prefix}security.protocol=SASL_PLAINTEXT",
            f"{prefix}sasl.mechanism={MECHANISM}",
            f'{prefix}sasl.jaas.config={SCRAM_LOGIN} required username="{self.username}" password="{self.password}";',
        ]


_RESOURCES = {
    Resource.TOPIC: ResourceType.TOPIC,
    Resource.GROUP: ResourceType.GROUP,
    Resource.CLUSTER: ResourceType.CLUSTER,
    Resource.TRANSACTIONAL_ID: ResourceType.TRANSACTIONAL_ID,
}


def _acl(grant: Grant) -> ACL:
    pattern = ACLResourcePatternType.PREFIXED if grant.prefixed else ACLResourcePatternType.LITERAL
    return ACL(
        principal=f"User:{grant.principal}",
        host="*",
        operation=ACLOperation[grant.operation.name],
        permission_type=ACLPermissionType.ALLOW,
        resource_pattern=ResourcePattern(_RESOURCES[grant.resource], grant.name, pattern),
    )


def apply_grants(admin: KafkaAdminClient, grants: list[Grant]) -> None:
    """Create the grants' ACLs (creating one that exists changes nothing)."""
    for start in range(0, len(grants), 500):
        answer = admin.create_acls([_acl(g) for g in grants[start : start + 500]])
        if answer.get("failed"):
            raise RuntimeError(f"ACLs refused: {answer['failed'][:3]}")


def broker_config(credentials: Path) -> str:
    """SASL on the broker's listeners and the authorizer; appended to the broker's configuration."""
    plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
    admin, controller = password_of(credentials, ADMIN), password_of(credentials, CONTROLLER)
    return "\n".join(
        [
            "# SASL/SCRAM for every client; the controller listener speaks SASL/PLAIN with its own principal.",
            f"sasl.enabled.mechanisms={MECHANISM}",
            f"sasl.mechanism.inter.broker.protocol={MECHANISM}",
            f'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config={SCRAM_LOGIN} required username="{ADMIN}" '
            f'password="{admin}";',
            "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
            "sasl.mechanism.controller.protocol=PLAIN",
            f'listener.name.controller.plain.sasl.jaas.config={plain} required username="{CONTROLLER}" '
            f'password="{controller}" user_{CONTROLLER}="{controller}";',
            "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found=false",
            f"super.users=User:{ADMIN};User:{CONTROLLER}",
            "",
        ]
    )


def scram_args(credentials: Path) -> list[str]:
    args = []
    for principal in scram_principals():
        args += ["--add-scram", f"{MECHANISM}=[name={principal},password={password_of(credentials, principal)}]"]
    return args


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["broker-config", "scram-args"])
    parser.add_argument("credentials", type=Path)
    args = parser.parse_args()
    if args.what == "broker-config":
        sys.stdout.write(broker_config(args.credentials))
    else:
        sys.stdout.write("\n".join(scram_args(args.credentials)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
