"""Typed settings, read from the environment (prefix YRD_) when a process starts, never at import."""

from __future__ import annotations

import ipaddress
import socket
from functools import cached_property
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.adapters.kafka.access import DEV_CREDENTIALS, KafkaAccess
from shared.adapters.tls import InstanceTLS, PeerIdentity
from shared.contracts.regions import DEFAULT_PORT_BASE, Domain, Region, peer_port_of, port_of
from shared.rules.broker_access import ADMIN, service_principal

ROOT = Path(__file__).resolve().parents[2]  # the checkout: shared/core/settings.py


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YRD_", extra="ignore")

    region: Region = Region.QINGPU
    service: Domain = Domain.FILING
    # KAFKA_BOOTSTRAP (without prefix) points everything at an existing cluster.
    kafka_bootstrap: str = Field(default="127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP")
    # Who this instance is on the broker (SASL/SCRAM-SHA-512): `{region}-{service}` by default, its password
    # in `{kafka_credentials_dir}/{username}` unless a file is given. False: PLAINTEXT, an external cluster.
    kafka_sasl: bool = True
    kafka_username: str | None = None
    kafka_password_file: Path | None = None
    kafka_credentials_dir: Path = DEV_CREDENTIALS
    topic_prefix: str = ""
    host: str = "127.0.0.1"
    port_base: int = DEFAULT_PORT_BASE
    data_dir: Path = ROOT / "var"
    keys_dir: Path = ROOT / ".cache" / "keys"
    trust_file: Path | None = None
    # The region's event-signing key (Ed25519 PEM); its public key must be in the trust file's event_keys.
    event_key_file: Path | None = None
    id_hash_key_file: Path | None = None
    # Where peers live, for point-to-point detail reads: "https://{host}:{peer port}" by the port map.
    peer_host: str = "127.0.0.1"
    # Point-to-point reads go over mutual TLS (each instance's certificate from the zone CA in tls_dir).
    # Plain HTTP between instances is for development on loopback only, and only when set to false.
    peer_tls: bool = True
    tls_dir: Path | None = None
    consumer_group: str | None = None
    # Every commit wakes the relay at once; this poll is only the safety net for a missed wake-up.
    outbox_poll_seconds: float = 2.0
    handler_max_attempts: int = 5
    # Offsets of applied records are committed at most this often while records keep arriving (and at
    # once when the stream pauses or the instance stops); a record applied but not yet committed comes
    # back only after a crash, and is skipped by its id.
    consumer_commit_seconds: float = 1.0
    log_level: str = "INFO"
    kafka_log_level: str = "CRITICAL"  # the Kafka client's own logs; broker state changes are logged anyway
    # How long a Kafka client waits for the broker before giving up into its own retry loop
    # (constructors, metadata for a send): bounded, so an outage never blocks a thread for long.
    kafka_timeout_ms: int = 5000
    # Deadline scanners (alert acknowledgements, filing 7-day rule...) run this often.
    scan_seconds: float = 2.0
    # Request bodies beyond this answer 413 (a filing with 50 parties and 100 documents is ~40 KB).
    max_body_bytes: int = 1_048_576
    # Bulk NDJSON bodies (`POST /v1/{collection}/batch`): some 60,000 filings.
    max_batch_bytes: int = 64 * 1_048_576
    store_url: str | None = Field(
        default=None,
        description="`postgresql://user@host:port/db`: the store in PostgreSQL, schema `{region}_{service}`; "
        "unset: SQLite under the data directory",
    )
    # Each process serves HTTP and the peer listener on the instance's ports, joins its consumer group and
    # relays its outbox; one at a time runs the scanners. SQLite's group commit is one process's.
    processes: int = Field(
        default=1,
        ge=1,
        description="processes serving the instance (`yrd serve --processes N`); more than one needs `YRD_STORE_URL`",
    )

    @cached_property
    def kafka(self) -> KafkaAccess:
        """This instance on the broker (its password read once, when first needed)."""
        username = self.kafka_username or service_principal(self.region, self.service)
        if self.kafka_sasl and self.kafka_password_file is not None:  # production: given
            return KafkaAccess(self.kafka_bootstrap, username, self.kafka_password_file.read_text().strip())
        return self._kafka_as(username)

    @property
    def kafka_admin(self) -> KafkaAccess:
        """The provisioning principal (`yrd topics`, `yrd zone up`): an operator's, not an instance's."""
        return self._kafka_as(ADMIN)

    def _kafka_as(self, principal: str) -> KafkaAccess:
        """`principal` with its development password; nobody on a PLAINTEXT cluster."""
        if not self.kafka_sasl:
            return KafkaAccess(self.kafka_bootstrap)
        return KafkaAccess.of(self.kafka_bootstrap, self.kafka_credentials_dir, principal)

    @property
    def port(self) -> int:
        return port_of(self.region, self.service, self.port_base)

    @property
    def metric_labels(self) -> dict[str, str]:
        return {"service": self.service.value, "region": self.region.value}

    @property
    def db_path(self) -> Path:
        return self.data_dir / f"{self.region.value}-{self.service.value}.sqlite3"

    @property
    def store_schema(self) -> str:
        """The instance's schema in the PostgreSQL database of `store_url`."""
        return store_schema(self.region, self.service)

    @property
    def group_id(self) -> str:
        return self.consumer_group or f"{self.topic_prefix}yrd.{self.service.value}.{self.region.value}"

    @property
    def source(self) -> str:
        return f"/yrd/{self.region.value}/{self.service.value}"

    @property
    def resolved_trust_file(self) -> Path:
        return self.trust_file or self.keys_dir / "trust.json"

    @property
    def resolved_event_key_file(self) -> Path:
        return self.event_key_file or self.keys_dir / f"{self.region.value}.events.key.pem"

    @property
    def resolved_id_hash_key_file(self) -> Path:
        return self.id_hash_key_file or self.keys_dir / "id-hash.key"

    @property
    def peer_port(self) -> int:
        return peer_port_of(self.region, self.service, self.port_base)

    @property
    def resolved_tls_dir(self) -> Path:
        return self.tls_dir or self.keys_dir / "tls"

    @property
    def instance_tls(self) -> InstanceTLS:
        """This instance's certificate and key, and the zone CA, for the peer listener and its reads."""
        return InstanceTLS(self.resolved_tls_dir, PeerIdentity(self.region, self.service))

    def peer_url(self, region: Region) -> str:
        if self.peer_tls:
            return f"https://{self.peer_host}:{peer_port_of(region, self.service, self.port_base)}"
        return f"http://{self.peer_host}:{port_of(region, self.service, self.port_base)}"

    @model_validator(mode="after")
    def _plain_peers_on_loopback_only(self) -> Settings:
        if not self.peer_tls and not ipaddress.ip_address(socket.gethostbyname(self.peer_host)).is_loopback:
            raise ValueError("YRD_PEER_TLS=false (plain HTTP between instances) is for loopback peers only")
        return self


def store_schema(region: Region, service: Domain) -> str:
    """The schema of `region`'s instance of `service` in a PostgreSQL store: `{region}_{service}`."""
    return f"{region.value}_{service.value}"
