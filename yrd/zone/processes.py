"""Starting and stopping the zone's processes: a broker per region (deploy/kafka/start.sh), the links, and
a MirrorMaker 2 per region. Each runs in the background with a pid file under the zone's state directory,
so `yrd zone down` (or a test) stops exactly what was started, and a test can kill -9 one of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from shared.adapters.kafka.access import DEV_CREDENTIALS, KafkaAccess, password_of
from shared.adapters.kafka.admin import provision
from shared.adapters.kafka.probe import broker_answers
from shared.contracts.regions import Region
from shared.core.settings import ROOT
from shared.rules.broker_access import mirror_grants, mirror_principal
from yrd.pids import ours, stop
from yrd.zone.layout import ZoneLayout

KAFKA = ROOT / "deploy" / "kafka"
MIRROR_LIBS = ROOT / ".cache" / "kafka" / "mirror"
AGENT_DIR = ROOT / ".cache" / "kafka" / "agent"
MIRROR_EXPORTER = ROOT / "deploy" / "mirror" / "jmx-exporter.yml"
# Three brokers and three MirrorMakers beside twelve instances on a 2-core machine with 24 GB.
BROKER_HEAP = "512m"
MIRROR_HEAP = "384m"


def _pid(pidfile: Path) -> int | None:
    """The pid a pid file names while that process runs; each process of the zone carries its pid file's
    folder on its command line (its configuration is there), which tells it from a reused pid."""
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if ours(pid, [str(pidfile.parent)]) else None


def terminate(pidfile: Path, sig: int = signal.SIGTERM, timeout: float = 30.0) -> bool:
    """Signal the process a pid file names, if it is still that process, and wait for it to go (SIGKILL
    after `timeout`)."""
    pid = _pid(pidfile)
    if pid is not None:
        stop([pid], [str(pidfile.parent)], sig, timeout)
    pidfile.unlink(missing_ok=True)
    return pid is not None


def _each(action: Callable[[Region], object]) -> None:
    """Do `action` for the three regions side by side (starting or stopping a JVM takes seconds each)."""
    with ThreadPoolExecutor(len(Region)) as pool:
        list(pool.map(action, Region))


def _background(command: list[str], pidfile: Path, log: Path, env: dict[str, str] | None = None) -> int:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=out, stdin=subprocess.DEVNULL, env=env, start_new_session=True
        )
    pidfile.write_text(str(process.pid))
    return process.pid


@dataclass(frozen=True)
class Broker:
    """One single-node KRaft cluster, run by deploy/kafka/start.sh in its own state directory."""

    state_dir: Path
    port: int
    controller_port: int
    metrics_port: int | None = None
    extra_config: str = ""
    heap: str = "1g"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def kafka(self) -> KafkaAccess:
        """The broker as its admin principal (every broker of the project's knows the same credentials)."""
        return KafkaAccess.of(self.bootstrap)

    @property
    def pidfile(self) -> Path:
        return self.state_dir / "broker.pid"

    @property
    def running(self) -> bool:
        return _pid(self.pidfile) is not None

    def _script(self, name: str) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "KAFKA_STATE_DIR": str(self.state_dir),
            "KAFKA_METRICS_PORT": str(self.metrics_port or ""),
            "KAFKA_HEAP": self.heap,
            "KAFKA_EXTRA_CONFIG": "",
        }
        if self.extra_config:
            extra = self.state_dir / "extra.properties"
            extra.write_text(self.extra_config)
            env["KAFKA_EXTRA_CONFIG"] = str(extra)
        subprocess.run(["bash", str(KAFKA / name)], env=env, check=True, timeout=180, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self._script("start.sh")

    def stop(self) -> None:
        self._script("stop.sh")

    def kill(self) -> None:
        """kill -9: the broker vanishes mid-request, as in a crash."""
        terminate(self.pidfile, signal.SIGKILL)


@dataclass(frozen=True)
class Zone:
    """The processes of a zone laid out by `layout`."""

    layout: ZoneLayout

    def broker(self, region: Region) -> Broker:
        lay = self.layout
        return Broker(
            lay.cluster_dir(region),
            lay.broker_port(region),
            lay.controller_port(region),
            lay.broker_metrics_port(region),
            lay.broker_config(region),
            BROKER_HEAP,
        )

    @property
    def links_pidfile(self) -> Path:
        return self.layout.state_dir / "links.pid"

    def mirror_pidfile(self, region: Region) -> Path:
        return self.layout.cluster_dir(region) / "mirror.pid"

    def start_links(self) -> None:
        if _pid(self.links_pidfile) is None:
            command = [sys.executable, "-m", "yrd.zone.links", str(self.layout.state_dir)]
            command += ["--offset", str(self.layout.offset)]
            _background(command, self.links_pidfile, self.layout.state_dir / "links.log")

    def start_mirror(self, region: Region) -> None:
        if _pid(self.mirror_pidfile(region)) is not None:
            return
        home = self.layout.cluster_dir(region)
        config = home / "mirror.properties"
        config.write_text(self.layout.mirror_config(region, password_of(DEV_CREDENTIALS, mirror_principal(region))))
        config.chmod(0o600)  # its principal's password
        logs = home / "mirror-logs"
        options = [f"-Xmx{MIRROR_HEAP}", "-XX:+UseG1GC", "-Djava.awt.headless=true", f"-Dkafka.logs.dir={logs}"]
        options.append(f"-Dlog4j2.configurationFile={KAFKA / 'log4j2.properties'}")
        agent = next(iter(sorted(AGENT_DIR.glob("jmx_prometheus_javaagent-*.jar"))), None)
        if agent is not None:
            options.append(f"-javaagent:{agent}=127.0.0.1:{self.layout.mirror_metrics_port(region)}:{MIRROR_EXPORTER}")
        command = ["java", "-cp", f"{MIRROR_LIBS}/*", *options, "org.apache.kafka.connect.mirror.MirrorMaker"]
        command += [str(config), "--clusters", region.value]
        _background(command, self.mirror_pidfile(region), logs / "stdout.log")

    def provision_cluster(self, region: Region) -> None:
        """The catalogue's topics and the namespace's ACLs on `region`'s cluster, and every MirrorMaker's."""
        grants = [g for home in Region for g in mirror_grants(home, region)]
        provision(self.broker(region).kafka, grants=grants)

    def up(self) -> None:
        """The three brokers (side by side, each answering before `up` goes on), topics and ACLs on every
        cluster, then the links and the MirrorMakers."""
        if not MIRROR_LIBS.is_dir():
            raise RuntimeError(f"MirrorMaker's jars are missing in {MIRROR_LIBS} (run 'make setup')")
        _each(lambda region: self.broker(region).start())
        _each(self.provision_cluster)
        self.start_links()
        for region in Region:
            self.start_mirror(region)

    def down(self) -> None:
        _each(lambda region: terminate(self.mirror_pidfile(region)))
        terminate(self.links_pidfile)
        _each(lambda region: self.broker(region).stop())

    def status(self) -> dict[str, bool]:
        answer = {f"{r.value} broker": broker_answers(self.broker(r).kafka, timeout=1) for r in Region}
        answer |= {f"{r.value} mirror": _pid(self.mirror_pidfile(r)) is not None for r in Region}
        answer["links"] = _pid(self.links_pidfile) is not None
        return answer
