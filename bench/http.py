"""HTTP benchmarks against running instances, with a peer measured the same way in the same run.

- the load generator's own ceiling: `hey` on /healthz;
- `POST /v1/filings` at 16 and 64 concurrent, `GET /v1/filings?limit=20` at 16, ours and the peer's
  (bench/peer.py: FastAPI + FastStream, the same bearer check and validation, publishing straight to
  Kafka with acks=all, no store, no outbox). Ours and the peer's runs alternate (BENCH_ROUNDS times) and
  each starts on a quiet zone: the backlog a run leaves (relays, the other regions' consumers) would
  otherwise slow whichever run comes next. The peer publishes to a topic of its own, which no instance
  reads;
- cross-region visibility: submitted at Jiashan, readable at Qingpu, p50/p99 sequentially and while a
  background load runs at half of the measured POST rate;
- idle CPU of the twelve instances over 10 s.

The instances are started here (port base 26000, or BENCH_PORT_BASE; a topic namespace of their own) on
the broker at KAFKA_BOOTSTRAP, like `make run` starts them. `Instances` also serves bench/store.py, which
starts only the filing instances, on other stores.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from statistics import quantiles

import httpx
import orjson
from kafka.admin import KafkaAdminClient

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.admin import provision
from shared.adapters.tokens import init_dev_keys, load_private_key, mint
from shared.contracts.regions import SERVICES, Domain, Region, port_of
from shared.contracts.topics import TopicSpec, catalogue, topic
from shared.core.settings import ROOT
from shared.rules.broker_access import Grant, Operation, Resource, service_principal
from shared.rules.policy import Role

# Below the ephemeral port range (32768 and up): nothing else can hold these ports. BENCH_PORT_BASE moves
# them, so a second bench can run beside one on the default base.
PORT_BASE = int(os.environ.get("BENCH_PORT_BASE", "26000"))
PEER_PORT = PORT_BASE + 999
KEYS = ROOT / ".cache" / "keys"
BODY = ROOT / "bench" / "filing.json"


def token(region: Region, role: Role) -> str:
    from datetime import timedelta

    return mint(load_private_key(KEYS, region), region, f"bench-{role.value}", [role], None, timedelta(hours=2))


def url(region: Region, service: Domain, path: str) -> str:
    return f"http://127.0.0.1:{port_of(region, service, PORT_BASE)}{path}"


def no_extra_env(_region: Region, _service: Domain) -> dict[str, str]:
    return {}


class Instances:
    """`services`' instances in the three regions, on a topic namespace and data directory of their own;
    `extra_env` gives an instance more environment (its store, its processes), `peer` provisions the peer's
    topic too."""

    def __init__(
        self,
        kafka: KafkaAccess,
        services: Iterable[Domain] = SERVICES,
        extra_env: Callable[[Region, Domain], dict[str, str]] = no_extra_env,
        peer: bool = True,
    ) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="yrd-bench-http-"))
        self.prefix = f"bh{uuid.uuid4().hex[:6]}."
        self.kafka = kafka
        self.peer_topic = f"{self.prefix}bench.peer"  # the peer's own: no instance reads it
        self.topics = [*catalogue(self.prefix)]
        grants = []
        if peer:
            self.topics.append(_peer_spec(self.prefix, self.peer_topic))
            grants = _peer_grants(self.peer_topic)
        provision(kafka, self.topics, self.prefix, grants)
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP": kafka.bootstrap,
            "YRD_TOPIC_PREFIX": self.prefix,
            "YRD_DATA_DIR": str(self.dir),
            "YRD_PORT_BASE": str(PORT_BASE),
            "YRD_KEYS_DIR": str(KEYS),
            "YRD_LOG_LEVEL": "WARNING",
        }
        self.procs = {
            (region, service): subprocess.Popen(
                [sys.executable, "-m", "yrd.cli", "serve", service.value, "--region", region.value],
                env={**env, **extra_env(region, service)},
                stdout=subprocess.DEVNULL,
                stderr=open(self.dir / f"{region.value}-{service.value}.log", "ab"),  # noqa: SIM115
            )
            for service in services
            for region in Region
        }

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        for (region, service), proc in self.procs.items():
            while httpx_status(url(region, service, "/readyz")) != 200:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = self.dir / f"{region.value}-{service.value}.log"
                    raise SystemExit(f"bench: {region.value} {service.value} did not get ready; see {log}")
                time.sleep(0.2)

    def cpu_groups(self) -> tuple[tuple[str, tuple[int, ...]], ...]:
        """Each region's filing instance (what a POST there costs it), then all twelve together."""
        each = [(region.value, (self.procs[(region, Domain.FILING)].pid,)) for region in Region]
        return (*each, ("all", tuple(p.pid for p in self.procs.values())))

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        admin = KafkaAdminClient(**self.kafka.config())
        try:  # a broker full of old benchmark topics would slow the next run
            admin.delete_topics([spec.name for spec in self.topics], raise_errors=False)
        finally:
            admin.close()


def _peer_spec(prefix: str, name: str) -> TopicSpec:
    """The peer's topic: the partitions and configs of the topic its counterpart (Jiashan's filing) writes."""
    ours = next(s for s in catalogue(prefix) if s.name == topic(Region.JIASHAN, Domain.FILING, prefix))
    return TopicSpec(name, ours.partitions, ours.configs)


def _peer_grants(name: str) -> list[Grant]:
    """The peer connects as Jiashan's filing instance does (bench/peer.py): that principal may write it."""
    who = service_principal(Region.JIASHAN, Domain.FILING)
    return [Grant(who, Resource.TOPIC, name, operation) for operation in (Operation.WRITE, Operation.DESCRIBE)]


def httpx_status(address: str) -> int | None:
    try:
        return httpx.get(address, timeout=2).status_code
    except httpx.HTTPError:
        return None


def hey(address: str, concurrency: int, requests: int, bearer: str | None = None, body: Path | None = None) -> dict:
    """Run `hey`; answer req/s, p50 and p99 in ms, and the status codes seen."""
    command = ["hey", "-n", str(requests), "-c", str(concurrency)]
    if bearer:
        command += ["-H", f"Authorization: Bearer {bearer}"]
    if body:
        command += ["-m", "POST", "-T", "application/json", "-D", str(body)]
    output = subprocess.run([*command, address], capture_output=True, text=True, timeout=600).stdout
    found = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50_ms": 1000 * float(re.search(r"50%+ in ([\d.]+) secs", output)[1]),
        "p99_ms": 1000 * float(re.search(r"99%+ in ([\d.]+) secs", output)[1]),
        "statuses": dict(re.findall(r"\[(\d{3})\]\s+(\d+) responses", output)),
    }
    return found


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def idle_cpu(instances: Instances, seconds: float = 10.0) -> float:
    """Percent of one core the instances used together while nobody called them."""
    pids = [p.pid for p in instances.procs.values()]
    before = cpu_seconds(pids)
    time.sleep(seconds)
    return 100 * (cpu_seconds(pids) - before) / seconds


def visibility(samples: int, clerk: str, reader: str) -> list[float]:
    """Seconds from a 202 at Jiashan until the filing reads 200 at Qingpu, one filing at a time."""
    body = BODY.read_bytes()
    found = []
    with httpx.Client(timeout=10) as client:
        for _ in range(samples):
            started = time.perf_counter()
            response = client.post(
                url(Region.JIASHAN, Domain.FILING, "/v1/filings"),
                content=body,
                headers={"authorization": f"Bearer {clerk}", "content-type": "application/json"},
            )
            filing = url(Region.QINGPU, Domain.FILING, f"/v1/filings/{response.json()['id']}")
            while client.get(filing, headers={"authorization": f"Bearer {reader}"}).status_code != 200:
                time.sleep(0.001)
            found.append(time.perf_counter() - started)
    return found


def wait_quiet(timeout: float = 300) -> float:
    """After a load: wait until the filing instances' outboxes are drained and their consumers caught up,
    so the next measurement does not queue behind the last one's backlog. Answers the seconds waited.

    Quiet means every scrape says so for QUIET_FOR seconds: a consumer reports its lag once a second, so
    one scrape can show the lag of a moment before the last records arrived."""
    started = time.monotonic()
    quiet_since: float | None = None
    while time.monotonic() - started < timeout:
        now = time.monotonic()
        if _behind() > 0:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= QUIET_FOR:
            break
        time.sleep(0.25)
    return time.monotonic() - started


QUIET_FOR = 1.5
_BEHIND = re.compile(r"^yrd_(?:outbox_backlog|consumer_lag)\{[^}]*\} ([0-9.e+]+)$", re.M)


@functools.cache
def _operator(region: Region) -> str:
    """A scraping token, minted once (it lasts the run): `_behind` asks every quarter of a second."""
    return token(region, Role.OPERATOR)


def _behind() -> float:
    """Events not yet published or not yet applied, over the three filing instances."""
    total = 0.0
    for region in Region:
        bearer = _operator(region)
        scrape = httpx.get(url(region, Domain.FILING, "/metrics"), headers={"authorization": f"Bearer {bearer}"})
        total += sum(float(v) for v in _BEHIND.findall(scrape.text))
    return total


def bulk(address: str, bearer: str, lines: int) -> dict:
    """One NDJSON request of `lines` filings (`POST /v1/filings/batch`): lines stored (and put in the outbox)
    per second, from sending the request to the last result line."""
    body = b"\n".join([BODY.read_bytes()] * lines)
    headers = {"authorization": f"Bearer {bearer}", "content-type": "application/x-ndjson"}
    started = time.perf_counter()
    answer = httpx.post(address, content=body, headers=headers, timeout=600)
    seconds = time.perf_counter() - started
    created = answer.content.count(b'"status":202')
    return {"lines": lines, "created": created, "seconds": seconds, "lines_per_s": created / seconds}


def alternate(ours: Side, peer: Side, concurrency: int, requests: int, bearer: str, rounds: int) -> tuple[dict, dict]:
    """`POST /v1/filings` at `concurrency`, ours and the peer's in turn `rounds` times, each run started on a
    quiet zone; each side's median run by rate (its own p50, p99 and CPU), with every run's rate beside it."""
    runs: dict[Side, list[dict]] = {ours: [], peer: []}
    for _ in range(rounds):
        for side, found in runs.items():
            wait_quiet()
            found.append(costed(side, lambda s=side: hey(s.address, concurrency, requests, bearer, BODY), requests))
    return median_run(runs[ours]), median_run(runs[peer])


@dataclass(frozen=True)
class Side:
    """What a run loads (`address`) and whose CPU pays for it: the processes by name."""

    address: str
    processes: tuple[tuple[str, tuple[int, ...]], ...]
    cpu: Callable[[list[int]], float] = cpu_seconds  # the CPU seconds of a group's processes so far


def costed(side: Side, load: Callable[[], dict], requests: int) -> dict:
    """`load`'s result with what each request cost in CPU: every process of the side, from the load's start
    until the zone has digested it (relays, the other regions' consumers), and how busy the whole machine
    was while the load ran (the broker and the generator included)."""
    before = {name: side.cpu(list(pids)) for name, pids in side.processes}
    machine = machine_jiffies()
    found = load()
    busy = busy_fraction(machine, machine_jiffies())
    wait_quiet()
    spent = {name: side.cpu(list(pids)) - before[name] for name, pids in side.processes}
    # hey sends requests // concurrency per worker: what was answered, not what was asked for
    answered = sum(int(count) for count in found.get("statuses", {}).values()) or requests
    return {**found, "cpu_ms_per_request": {n: 1000 * s / answered for n, s in spent.items()}, "machine_busy": busy}


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat's first line."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def busy_fraction(before: tuple[int, int], after: tuple[int, int]) -> float:
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


def median_run(runs: list[dict]) -> dict:
    ranked = sorted(runs, key=lambda found: found["rps"])
    return {**ranked[(len(ranked) - 1) // 2], "runs_rps": [found["rps"] for found in runs]}


def percentiles(values: list[float]) -> dict[str, float]:
    cuts = quantiles(values, n=100)
    return {"p50_ms": 1000 * cuts[49], "p99_ms": 1000 * cuts[98]}


def background_load(address: str, rate: float, bearer: str, seconds: float) -> threading.Thread:
    workers = 8
    per_worker = max(rate / workers, 1)
    command = ["hey", "-z", f"{seconds}s", "-c", str(workers), "-q", f"{per_worker:.1f}"]
    command += ["-H", f"Authorization: Bearer {bearer}", "-m", "POST", "-T", "application/json", "-D", str(BODY)]
    thread = threading.Thread(target=subprocess.run, args=([*command, address],), kwargs={"capture_output": True})
    thread.start()
    return thread


def prepare() -> tuple[str, str]:
    """The keys and the POST's body (a filing at Jiashan for Qingpu's court); the tokens of Jiashan's clerk
    (who posts) and of Qingpu's supervisor (who reads)."""
    init_dev_keys(KEYS)
    from tests.e2e.filing_data import filing_body

    BODY.write_bytes(orjson.dumps(filing_body(court="qingpu")))
    return token(Region.JIASHAN, Role.WINDOW_CLERK), token(Region.QINGPU, Role.SUPERVISOR)


def run(kafka: KafkaAccess, requests: int, rounds: int = 3) -> dict:
    clerk, reader = prepare()
    results: dict = {}
    instances = Instances(kafka)
    peer = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.peer:app", "--port", str(PEER_PORT), "--log-level", "warning"],
        env={**os.environ, "KAFKA_BOOTSTRAP": kafka.bootstrap, "PEER_TOPIC": instances.peer_topic},
        cwd=ROOT,
    )
    try:
        instances.wait_ready()
        while httpx_status(f"http://127.0.0.1:{PEER_PORT}/healthz") != 200:
            time.sleep(0.2)
        time.sleep(2)
        results["idle_cpu_percent_of_one_core"] = idle_cpu(instances)
        filings = url(Region.JIASHAN, Domain.FILING, "/v1/filings")
        peer_filings = f"http://127.0.0.1:{PEER_PORT}/v1/filings"
        results["healthz"] = hey(url(Region.JIASHAN, Domain.FILING, "/healthz"), 16, requests)
        results["peer_healthz"] = hey(f"http://127.0.0.1:{PEER_PORT}/healthz", 16, requests)
        ours_side = Side(filings, instances.cpu_groups())
        peer_side = Side(peer_filings, (("peer", (peer.pid,)),))
        for concurrency in (16, 64):
            ours, theirs = alternate(ours_side, peer_side, concurrency, requests, clerk, rounds)
            results[f"post_c{concurrency}"], results[f"peer_post_c{concurrency}"] = ours, theirs
        # The zone digests the POST burst first (other regions' consumers, relays): a list measured during
        # that would measure the contention, not the list.
        results["backlog_drained_after_s"] = wait_quiet()
        results["list_c16"] = hey(filings + "?limit=20", 16, requests, clerk)
        results["bulk"] = bulk(filings + "/batch", clerk, 5000)
        results["bulk_backlog_drained_after_s"] = wait_quiet()
        results["visibility_low_load"] = percentiles(visibility(100, clerk, reader))
        half = results["post_c16"]["rps"] / 2
        load = background_load(filings, half, clerk, 12)
        time.sleep(1)
        results["visibility_half_load"] = {**percentiles(visibility(100, clerk, reader)), "background_rps": half}
        load.join()
    finally:
        peer.terminate()
        peer.wait(timeout=30)
        instances.stop()
    return results
