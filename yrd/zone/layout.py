"""Where the zone's clusters, links and MirrorMaker processes listen, and their configuration (pure).

Each region runs a single-node KRaft cluster; its instances produce to and consume from it alone. The
other regions reach it only over *links*: one TCP link per (cluster, reading region), which is where a
partition between regions is made (links.py). Each broker has a listener per reading region, advertised at
that region's link, so every connection a region's MirrorMaker opens to another cluster goes through it.

Each region's MirrorMaker 2 (dedicated mode, `--clusters {region}`) pulls the other regions' topics
`{source}.*` into its home cluster, with IdentityReplicationPolicy so names stay `{region}.{domain}`.
Because a region writes only its own prefix, no record flows back to where it came from. MirrorMaker
keeps all its own state (offsets, offset syncs, status) in its home cluster: it only reads from the others.

Ports (offset 0; tests add an offset): region base B = 9190 Jiashan, 9290 Qingpu, 9390 Wujiang.
  B+2 broker  B+3 controller  B+4 broker metrics  B+5 MirrorMaker metrics  B+6 MirrorMaker (internal REST)
  B+10+i broker's listener for reading region i   B+20+i the link region i reaches it through
  9180 the links' control endpoint
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.adapters.kafka.access import SCRAM_LOGIN, KafkaAccess
from shared.contracts.regions import Region, others
from shared.contracts.topics import COMMANDS_SUFFIX, DLQ_SUFFIX, RESULTS_SUFFIX
from shared.rules.broker_access import mirror_principal

BASES = {Region.JIASHAN: 9190, Region.QINGPU: 9290, Region.WUJIANG: 9390}
CONTROL_PORT = 9180
_INDEX = {region: i for i, region in enumerate(Region)}


@dataclass(frozen=True)
class Link:
    """How `reader` reaches `source`'s cluster: the link's port, and the broker listener behind it."""

    source: Region
    reader: Region
    port: int
    upstream: int

    @property
    def name(self) -> str:
        return f"{self.source.value}->{self.reader.value}"


@dataclass(frozen=True)
class ZoneLayout:
    state_dir: Path
    offset: int = 0

    def base(self, region: Region) -> int:
        return BASES[region] + self.offset

    def broker_port(self, region: Region) -> int:
        return self.base(region) + 2

    def controller_port(self, region: Region) -> int:
        return self.base(region) + 3

    def broker_metrics_port(self, region: Region) -> int:
        return self.base(region) + 4

    def mirror_metrics_port(self, region: Region) -> int:
        return self.base(region) + 5

    def mirror_rest_port(self, region: Region) -> int:
        return self.base(region) + 6

    @property
    def control_port(self) -> int:
        return CONTROL_PORT + self.offset

    def bootstrap(self, region: Region) -> str:
        """The home cluster of `region`'s instances (and of its MirrorMaker's writes)."""
        return f"127.0.0.1:{self.broker_port(region)}"

    def link(self, source: Region, reader: Region) -> Link:
        base = self.base(source)
        return Link(source, reader, base + 20 + _INDEX[reader], base + 10 + _INDEX[reader])

    def links(self) -> list[Link]:
        return [self.link(source, reader) for source in Region for reader in others(source)]

    def cluster_dir(self, region: Region) -> Path:
        return self.state_dir / region.value

    def broker_config(self, region: Region) -> str:
        """Appended to deploy/kafka/server.properties.in: the home listener plus one per reading region."""
        links = [self.link(region, reader) for reader in others(region)]
        names = [f"LINK_{link.reader.value.upper()}" for link in links]
        listeners = [f"SASL_PLAINTEXT://127.0.0.1:{self.broker_port(region)}"]
        listeners.append(f"CONTROLLER://127.0.0.1:{self.controller_port(region)}")
        listeners += [f"{n}://127.0.0.1:{link.upstream}" for n, link in zip(names, links, strict=True)]
        advertised = [f"SASL_PLAINTEXT://127.0.0.1:{self.broker_port(region)}"]
        advertised += [f"{n}://127.0.0.1:{link.port}" for n, link in zip(names, links, strict=True)]
        protocols = ",".join(f"{n}:SASL_PLAINTEXT" for n in ("CONTROLLER", "SASL_PLAINTEXT", *names))
        return "\n".join(
            [
                f"# The {region.value} cluster of the zone: its instances connect directly, other regions over links;",
                "# everyone authenticates (SASL/SCRAM) and may only what its ACLs grant.",
                "listeners=" + ",".join(listeners),
                "advertised.listeners=" + ",".join(advertised),
                "listener.security.protocol.map=" + protocols,
                # Each link's listener checks SCRAM credentials as the main one does (no login of its own).
                *(f"listener.name.{n.lower()}.scram-sha-512.sasl.jaas.config={SCRAM_LOGIN} required;" for n in names),
                "",
            ]
        )

    def mirror_config(self, home: Region, password: str) -> str:
        """MirrorMaker 2 of `home`: every other region's `{source}.*` topics into the home cluster, as its
        own principal (`{home}-mirror`, with `password`) on every cluster."""

        def cluster(alias: Region, bootstrap: str) -> list[str]:
            return KafkaAccess(bootstrap, mirror_principal(home), password).java_config(f"{alias.value}.")

        lines = [
            f"# MirrorMaker 2 of {home.value}, dedicated mode: run with --clusters {home.value}.",
            "clusters=" + ",".join(r.value for r in Region),
            *cluster(home, self.bootstrap(home)),
            # Copies and source offsets are committed in one transaction at home: a crash of MirrorMaker or
            # of a broker repeats nothing (exactly-once source, which dedicated mode runs on its internal
            # REST server, bound to loopback).
            f"{home.value}.exactly.once.source.support=enabled",
            "dedicated.mode.enable.internal.rest=true",
            f"listeners=http://127.0.0.1:{self.mirror_rest_port(home)}",
        ]
        for source in others(home):
            lines += [
                *cluster(source, f"127.0.0.1:{self.link(source, home).port}"),
                f"{source.value}->{home.value}.enabled=true",
                # A region's own topics only; dead letters are the consuming region's own business.
                f"{source.value}->{home.value}.topics={source.value}\\..*",
            ]
        return "\n".join(lines + _MIRROR_COMMON) + "\n"


_MIRROR_COMMON = [
    "replication.policy.class=org.apache.kafka.connect.mirror.IdentityReplicationPolicy",
    # Commands and results stay in the region they were sent to, like dead letters.
    rf"topics.exclude=.*[\-\.]internal,.*\.replica,__.*,.*\{DLQ_SUFFIX},.*\{COMMANDS_SUFFIX},.*\{RESULTS_SUFFIX}",
    "tasks.max=1",
    "refresh.topics.interval.seconds=30",
    "sync.topic.acls.enabled=false",
    # Every cluster's topics are provisioned from the one catalogue (`yrd zone up`): nothing to sync.
    "sync.topic.configs.enabled=false",
    # Consumers never move between clusters (each region reads only its home), so no offset translation;
    # and MirrorMaker writes nothing to the clusters it reads: its offset syncs stay at home too.
    "emit.checkpoints.enabled=false",
    "sync.group.offsets.enabled=false",
    "emit.heartbeats.enabled=false",
    # MirrorMaker copies heartbeat topics whatever the filter says, unless told not to: each region's empty
    # `heartbeats` came back as `jiashan.heartbeats`, `qingpu.jiashan.heartbeats`..., in other regions'
    # namespaces, and every new one restarted the flow's task (its metrics gone until it started again).
    "heartbeats.replication.enabled=false",
    "offset-syncs.topic.location=target",
    # Single-node clusters: every topic MirrorMaker keeps has one replica.
    "replication.factor=1",
    "offset-syncs.topic.replication.factor=1",
    "heartbeats.topic.replication.factor=1",
    "checkpoints.topic.replication.factor=1",
    "config.storage.replication.factor=1",
    "offset.storage.replication.factor=1",
    "status.storage.replication.factor=1",
    # How often source offsets are committed (with exactly-once source, inside the copies' transaction).
    "offset.flush.interval.ms=5000",
]
