"""`yrd run-all` and `yrd stop`: every implemented service of the three regions (on the single broker or,
with --zone, each region on its own cluster), the operations page and Prometheus, as child processes
recorded in a pid file so `yrd stop` stops exactly these."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer

from shared.adapters.tokens import write_scrape_tokens
from shared.contracts.regions import DEFAULT_PORT_BASE, REGIONS, Domain, Region, port_of
from shared.core.settings import ROOT
from yrd import alertmanager
from yrd.cli_tools import instance_settings
from yrd.pids import stop as pids_stop
from yrd.registry import SERVICES
from yrd.zone.cli import layout_of
from yrd.zone.layout import ZoneLayout


def implemented_services() -> list[Domain]:
    return list(SERVICES)


def run_all(
    port_base: int | None = typer.Option(None, help="The port map's base (default: YRD_PORT_BASE, 8000)."),
    zone: bool = typer.Option(False, "--zone", help="each region on its own cluster (`yrd zone up` first)"),
    store_url: str | None = typer.Option(
        None, help="Every instance's store in this PostgreSQL database (default: YRD_STORE_URL; unset: SQLite)."
    ),
    processes: int | None = typer.Option(
        None, min=1, help="Processes serving each instance (default: YRD_PROCESSES, 1); PostgreSQL store only."
    ),
) -> None:
    """Start every implemented service for all three regions; Ctrl-C stops them all."""
    from yrd.processes import check_processes

    # What the instances inherit (each `yrd serve` reads them into its settings).
    os.environ.update({k: str(v) for k, v in (("YRD_STORE_URL", store_url), ("YRD_PROCESSES", processes)) if v})
    check_processes(instance_settings())  # refused here, before anything starts, not by every instance
    base = port_base or instance_settings().port_base
    layout = layout_of() if zone else None
    children: list[subprocess.Popen[bytes]] = []
    instances = [(region, service) for service in implemented_services() for region in Region]
    for region, service in instances:
        children.append(_serve(region, service, base, layout))
        typer.echo(f"started {region.value:8} {service.value:12} http://127.0.0.1:{port_of(region, service, base)}")
    zone_cmd = [sys.executable, "-m", "yrd.cli", "console", "--port-base", str(base)]
    children.append(subprocess.Popen(zone_cmd, env=os.environ.copy()))
    instances.append((None, "console"))
    typer.echo(f"started {'zone':8} {'console':12} http://127.0.0.1:{base}")
    for region in Region:  # each region's desk for its clerks and officers (services/desk)
        children.append(subprocess.Popen([*zone_cmd[:3], "desk", "--region", region.value, "--port-base", str(base)]))
        instances.append((None, f"{region.value} desk"))
        typer.echo(f"started {region.value:8} {'desk':12} http://127.0.0.1:{base + 100 * REGIONS[region].digit}")
    if base == DEFAULT_PORT_BASE and (prometheus := _start_prometheus(layout)):
        children.append(prometheus)
        instances.append((None, "prometheus"))
    settings = instance_settings()
    if base == DEFAULT_PORT_BASE and (
        alerts := alertmanager.run(settings.data_dir, settings.keys_dir, base, typer.echo)
    ):
        children.append(alerts)
        instances.append((None, "alertmanager"))
    pidfile = _run_pidfile()
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    pidfile.write_text(" ".join(str(p) for p in (os.getpid(), *(c.pid for c in children))))
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.5)
    for (region, service), child in zip(instances, children, strict=True):
        if child.returncode is not None and not stopping:
            name = f"{region.value} {service.value}" if region else service
            typer.echo(f"{name} exited ({child.returncode}); stopping the others", err=True)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
    pidfile.unlink(missing_ok=True)
    failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM)]
    raise typer.Exit(1 if failed and not stopping else 0)


def _serve(region: Region, service: Domain, base: int, zone: ZoneLayout | None) -> subprocess.Popen[bytes]:
    """One instance as a child process; in the three-cluster zone, on its region's own cluster only."""
    command = [sys.executable, "-m", "yrd.cli", "serve", service.value, "--region", region.value]
    env = os.environ.copy()
    if zone:
        env["KAFKA_BOOTSTRAP"] = zone.bootstrap(region)
    return subprocess.Popen([*command, "--port-base", str(base)], env=env)


PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"


def _start_prometheus(zone: ZoneLayout | None) -> subprocess.Popen[bytes] | None:
    """Prometheus for the zone on 127.0.0.1:9090 (the port map's instances, the brokers' exporters and, in
    the three-cluster zone, the MirrorMakers'), scraping with the scrape identity minted here; storage and
    log under the data directory."""
    binary = shutil.which("prometheus")
    if binary is None:
        typer.echo("prometheus: not installed (make setup installs it); running without it", err=True)
        return None
    settings = instance_settings()
    write_scrape_tokens(settings.keys_dir)
    storage = settings.data_dir / "prometheus"
    storage.mkdir(parents=True, exist_ok=True)
    config = PROMETHEUS_CONFIG
    if zone is not None:
        from yrd.zone.prometheus import write_zone_config

        config = write_zone_config(PROMETHEUS_CONFIG, zone, settings.data_dir / "run" / "prometheus-zone.yml")
    log = open(storage / "prometheus.log", "ab")  # noqa: SIM115 (lives with the process)
    command = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={storage}",
        "--storage.tsdb.retention.time=15d",
        "--web.listen-address=127.0.0.1:9090",
    ]
    process = subprocess.Popen(command, stdout=log, stderr=log)
    typer.echo("started prometheus            http://127.0.0.1:9090")
    return process


def _run_pidfile() -> Path:
    """Where run-all records its own and its instances' pids: in this checkout's data directory."""
    return instance_settings().data_dir / "run" / "run-all.pid"


# What the command lines of run-all, its instances, its Prometheus and its Alertmanager carry.
OURS = (b"yrd.cli", b"/yrd\0", str(PROMETHEUS_CONFIG).encode(), b"prometheus-zone.yml", b"run/alertmanager.yml")


def stop_all(timeout: float = typer.Option(30.0, help="Seconds to wait for them to stop before killing them.")) -> None:
    """Stop the instances this checkout's `yrd run-all` started, and nothing else on the machine."""
    pidfile = _run_pidfile()
    if not pidfile.exists():
        typer.echo("services: none started by this checkout")
        return
    pids = [int(p) for p in pidfile.read_text().split() if p.isdigit()]
    pids_stop(pids, OURS, timeout=timeout)
    pidfile.unlink(missing_ok=True)
    typer.echo(f"services: stopped {len(pids) - 1} instances")
