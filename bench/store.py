"""The store's benchmark: `POST /v1/filings` at Jiashan with Jiashan's filing on SQLite (1 process), on
PostgreSQL (1 process) and on PostgreSQL (2 processes), and what each POST costs in CPU.

Each variant is a quiet zone of its own: the three regions' filing instances (Jiashan receives the POSTs,
Qingpu is the court, Wujiang applies the events too), on a topic namespace of their own (bench/http.py's
`Instances`), all on the variant's backend, the PostgreSQL ones in a fresh database. The PostgreSQL cluster
is the bench's own (deploy/postgres/start.sh; data in var/bench-pg, port 33433), started and stopped here.

For each variant: the rate, p50 and p99 at 16 and 64 concurrent (each run started on a quiet zone, the
median of BENCH_ROUNDS by rate), and the CPU per POST, from the run's start until the zone has digested
it (relays, the other regions' consumers), of
- Jiashan's instance: every process of it (the supervisor and its workers with --processes 2);
- PostgreSQL: the postmaster and its children (backends, WAL writer, checkpointer);
- the zone: the three instances and PostgreSQL;
and the visibility (202 at Jiashan until 200 at Qingpu, one filing at a time), p50 and p99.
"""

from __future__ import annotations

import os
import time
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx

from bench import http
from shared.adapters.kafka.access import KafkaAccess
from shared.contracts.regions import Domain, Region
from shared.core.settings import ROOT
from tests import pg_cluster

PG_DATA = ROOT / "var" / "bench-pg"
PG_PORT = 33433
CONCURRENCIES = (16, 64)
VISIBILITY_SAMPLES = 100
WARM_UP = 200  # POSTs before the first measured run
IDLE_SECONDS = 5.0
STEADY_ANSWERS = 20  # /readyz answers in a row, each on a new connection, before a variant is measured
CORES = 8  # the region the docs predict for (docs/postgres.md, "What the figures predict")


@dataclass(frozen=True)
class Variant:
    name: str
    label: str
    postgres: bool
    processes: int  # Jiashan's filing's; the other regions' instances run one


VARIANTS = (
    Variant("sqlite_1", "SQLite, 1 process", postgres=False, processes=1),
    Variant("postgres_1", "PostgreSQL, 1 process", postgres=True, processes=1),
    Variant("postgres_2", "PostgreSQL, 2 processes", postgres=True, processes=2),
)


def tree_cpu_seconds(pids: list[int]) -> float:
    """CPU seconds so far of each process and all its descendants: the live ones' own time, and the time of
    those that exited, which the kernel adds to their parent's (cutime, cstime) once it has reaped them. A
    PostgreSQL backend or a worker that ends between two readings is thus still counted, once."""
    return sum(_tree_ticks(pid) for pid in pids) / os.sysconf("SC_CLK_TCK")


def _tree_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    own = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return own + sum(_tree_ticks(child) for child in _children(pid))


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().split()[0])


def idle(side: http.Side, seconds: float = IDLE_SECONDS) -> dict[str, float]:
    """Percent of one core each group used while nobody called the zone: the part of a run's CPU that is
    time (polls, scanners, heartbeats), not POSTs."""
    before = {name: side.cpu(list(pids)) for name, pids in side.processes}
    time.sleep(seconds)
    return {name: 100 * (side.cpu(list(pids)) - before[name]) / seconds for name, pids in side.processes}


def _env(variant: Variant, store_url: str | None, region: Region, _service: Domain) -> dict[str, str]:
    env = {"YRD_STORE_URL": store_url} if store_url else {}
    if region is Region.JIASHAN:
        env["YRD_PROCESSES"] = str(variant.processes)
    return env


def _serving_processes(address: str) -> int:
    """Waits until the instance answers /readyz STEADY_ANSWERS times in a row (every worker past its start,
    the consumer group settled); the distinct processes /healthz named meanwhile."""
    named: set[str] = set()
    in_a_row = 0
    while in_a_row < STEADY_ANSWERS:
        in_a_row = in_a_row + 1 if http.httpx_status(address + "/readyz") == 200 else 0
        try:  # a new connection each time: the kernel spreads them over the workers
            named.add(str(httpx.get(address + "/healthz", timeout=2).json().get("process")))
        except httpx.HTTPError:
            in_a_row = 0
        time.sleep(0.1)
    return len(named)


def measure(kafka: KafkaAccess, variant: Variant, dsn: str, postmaster: int, requests: int, rounds: int) -> dict:
    clerk, reader = http.prepare()
    database = pg_cluster.own_database(dsn, f"bench_{variant.name}") if variant.postgres else nullcontext(None)
    with database as store_url:
        instances = http.Instances(
            kafka, services=(Domain.FILING,), extra_env=partial(_env, variant, store_url), peer=False
        )
        try:
            instances.wait_ready()
            jiashan = http.url(Region.JIASHAN, Domain.FILING, "")
            results: dict = {"label": variant.label, "serving_processes": _serving_processes(jiashan)}
            zone = tuple(proc.pid for proc in instances.procs.values())
            groups = [("jiashan", (instances.procs[(Region.JIASHAN, Domain.FILING)].pid,))]
            if variant.postgres:
                groups += [("postgres", (postmaster,)), ("zone", (*zone, postmaster))]
            else:
                groups += [("zone", zone)]
            side = http.Side(jiashan + "/v1/filings", tuple(groups), cpu=tree_cpu_seconds)
            # First requests pay for what a process sets up once (pools, caches): not what a POST costs.
            http.hey(side.address, CONCURRENCIES[0], min(requests, WARM_UP), clerk, http.BODY)
            http.wait_quiet()
            results["idle_cpu_percent_of_one_core"] = idle(side)
            for concurrency in CONCURRENCIES:
                runs = []
                for _ in range(rounds):
                    http.wait_quiet()
                    load = partial(http.hey, side.address, concurrency, requests, clerk, http.BODY)
                    runs.append(http.costed(side, load, requests))
                results[f"post_c{concurrency}"] = http.median_run(runs)
            http.wait_quiet()
            results["visibility"] = http.percentiles(http.visibility(VISIBILITY_SAMPLES, clerk, reader))
            return results
        finally:
            instances.stop()


def run(kafka: KafkaAccess, requests: int, rounds: int) -> dict:
    """Every variant in turn, on the bench's own cluster, stopped whatever happens."""
    dsn = pg_cluster.start(PG_DATA, PG_PORT)
    try:
        postmaster = postmaster_pid(PG_DATA)
        return {v.name: measure(kafka, v, dsn, postmaster, requests, rounds) for v in VARIANTS}
    finally:
        pg_cluster.stop(PG_DATA)


def ceiling(found: dict, processes: int, cores: int = CORES) -> float:
    """POSTs/s a region with `cores` cores could take, every region taking as many: each region pays for its
    own POSTs and for applying the other two regions', a zone's CPU per POST in all (cores / t_zone); its
    filing instance pays the instances' part of that, t_zone - t_pg, with one core per process at most
    (processes / (t_zone - t_pg))."""
    cost = found["cpu_ms_per_request"]
    instances = cost["zone"] - cost.get("postgres", 0.0)
    return min(1000 * cores / cost["zone"], 1000 * processes / instances)


def table(results: dict) -> str:
    lines = [
        f"{'store: POST /v1/filings at Jiashan':<36}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'CPU ms/POST: jiashan':>22}{'postgres':>10}{'zone':>8}{'busy':>6}{f'{CORES}-core ceiling':>16}"
    ]
    for variant in VARIANTS:
        found = results[variant.name]
        for concurrency in CONCURRENCIES:
            run = found[f"post_c{concurrency}"]
            cost = run["cpu_ms_per_request"]
            pg = f"{cost['postgres']:.2f}" if "postgres" in cost else "-"
            lines.append(
                f"{variant.label + f' c{concurrency}':<36}{run['rps']:>8.0f}{run['p50_ms']:>8.1f}{run['p99_ms']:>8.1f}"
                f"{cost['jiashan']:>22.2f}{pg:>10}{cost['zone']:>8.2f}{run['machine_busy']:>6.0%}"
                f"{ceiling(run, variant.processes):>16.0f}"
            )
            if set(run["statuses"]) != {"202"}:  # the figures count every answer: a refusal is cheaper
                lines.append(f"  (answers other than 202: {run['statuses']})")
        vis, idle_cpu = found["visibility"], found["idle_cpu_percent_of_one_core"]
        lines.append(
            f"  visibility Jiashan -> Qingpu: p50 {vis['p50_ms']:.1f} ms, p99 {vis['p99_ms']:.1f} ms;"
            f" {found['serving_processes']} process(es) answered at Jiashan; idle, % of a core: "
            + ", ".join(f"{name} {percent:.1f}" for name, percent in idle_cpu.items())
        )
    lines.append(
        f"({CORES}-core ceiling: min({CORES} / zone, processes / (zone - postgres)) POSTs/s, every region taking"
        " as many;"
        " docs/postgres.md)"
    )
    return "\n".join(lines)
