"""`yrd`: the one entry point for humans and scripts.

yrd serve filing --region qingpu     one instance (port by the port map)
yrd run-all                          every implemented service for all three regions
yrd stop                             stop what this checkout's run-all started (and nothing else)
yrd rebuild --region R --service S   a lost store's read models, audit chain and sequences, from the topics
yrd topics create | list             provision / show topics
yrd keys init                        development signing keys and trust file
yrd token --region R --role ROLE     mint a development token
yrd audit verify --region R --service S
yrd schemas --out DIR                JSON Schemas of every event type
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import typer

from shared.adapters.tokens import write_scrape_tokens
from shared.contracts.regions import DEFAULT_PORT_BASE, SERVICES, Domain, Region, port_of
from shared.entrypoints.cli_tools import audit_app, dlq_app, instance_settings, keys_app, topics_app

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
app.add_typer(topics_app, name="topics")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(dlq_app, name="dlq")


def implemented_services() -> list[Domain]:
    return [s for s in SERVICES if importlib.util.find_spec(f"services.{s.value}.app") is not None]


@app.command()
def serve(service: Domain, region: Region = typer.Option(..., "--region"), port_base: int | None = None) -> None:
    """Run one service instance for one region."""
    import uvicorn

    from shared.adapters import logs

    settings = instance_settings(service=service, region=region, port_base=port_base)
    logs.configure(settings.log_level, settings.kafka_log_level, service=service.value, region=region.value)
    module = importlib.import_module(f"services.{service.value}.app")
    uvicorn.run(
        module.build(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        loop="uvloop",  # the C event loop and HTTP parser, not asyncio's and h11's
        http="httptools",
    )


@app.command()
def console(port_base: int | None = None, port: int | None = None) -> None:
    """Run the zone's operations page (port base + 0: 8000 by default), reading Prometheus."""
    import uvicorn

    from services.console.app import build
    from shared.adapters import logs

    settings = instance_settings(port_base=port_base)
    logs.configure(settings.log_level, settings.kafka_log_level, service="console", region="zone")
    uvicorn.run(
        build(settings),
        host=settings.host,
        port=port or settings.port_base,
        log_config=None,
        access_log=False,
        loop="uvloop",
        http="httptools",
    )


@app.command()
def digest(
    day: str = typer.Option(..., "--date", help="YYYY-MM-DD (Beijing time); today gives the figures so far"),
    console_url: str = typer.Option("", "--console", help="default: this machine's console (port base)"),
    out: Path = typer.Option(Path("var/digests"), "--out"),
) -> None:
    """Write one day's operations page as PNG and PDF (the picture sent to the leaders every day)."""
    from datetime import date, timedelta

    from services.console.digest import render
    from shared.adapters.tokens import load_private_key, mint
    from shared.rules.policy import Role

    settings = instance_settings()
    when = date.fromisoformat(day)
    key = load_private_key(settings.keys_dir, Region.QINGPU)
    token = mint(key, Region.QINGPU, "digest@zone", [Role.OPERATOR], ttl=timedelta(minutes=10))
    png, pdf = render(console_url or f"http://127.0.0.1:{settings.port_base}", token, when, out)
    typer.echo(f"wrote {png}\nwrote {pdf}")


@app.command("run-all")
def run_all(port_base: int | None = None) -> None:
    """Start every implemented service for all three regions; Ctrl-C stops them all."""
    base = port_base or instance_settings().port_base
    children: list[subprocess.Popen[bytes]] = []
    instances = [(region, service) for service in implemented_services() for region in Region]
    for region, service in instances:
        cmd = [
            sys.executable,
            "-m",
            "shared.entrypoints.cli",
            "serve",
            service.value,
            "--region",
            region.value,
            "--port-base",
            str(base),
        ]
        children.append(subprocess.Popen(cmd, env=os.environ.copy()))
        typer.echo(f"started {region.value:8} {service.value:12} http://127.0.0.1:{port_of(region, service, base)}")
    zone_cmd = [sys.executable, "-m", "shared.entrypoints.cli", "console", "--port-base", str(base)]
    children.append(subprocess.Popen(zone_cmd, env=os.environ.copy()))
    instances.append((None, "console"))
    typer.echo(f"started {'zone':8} {'console':12} http://127.0.0.1:{base}")
    if base == DEFAULT_PORT_BASE and (prometheus := _start_prometheus()):
        children.append(prometheus)
        instances.append((None, "prometheus"))
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


PROMETHEUS_CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "prometheus.yml"


def _start_prometheus() -> subprocess.Popen[bytes] | None:
    """Prometheus for the zone on 127.0.0.1:9090 (the port map's instances, the broker's exporter), scraping
    with the scrape identity minted here; storage and log under the data directory."""
    binary = shutil.which("prometheus")
    if binary is None:
        typer.echo("prometheus: not installed (make setup installs it); running without it", err=True)
        return None
    settings = instance_settings()
    write_scrape_tokens(settings.keys_dir)
    storage = settings.data_dir / "prometheus"
    storage.mkdir(parents=True, exist_ok=True)
    log = open(storage / "prometheus.log", "ab")  # noqa: SIM115 (lives with the process)
    command = [
        binary,
        f"--config.file={PROMETHEUS_CONFIG}",
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


def _ours(pid: int) -> bool:
    """A pid from the file is signalled only if it is still one of our processes (pids are reused)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    ours = (b"shared.entrypoints.cli", b"/yrd\0", str(PROMETHEUS_CONFIG).encode())
    return any(mark in command for mark in ours)


@app.command("stop")
def stop_all(timeout: float = 30.0) -> None:
    """Stop the instances this checkout's `yrd run-all` started, and nothing else on the machine."""
    pidfile = _run_pidfile()
    if not pidfile.exists():
        typer.echo("services: none started by this checkout")
        return
    pids = [int(p) for p in pidfile.read_text().split() if p.isdigit()]
    for pid in pids:
        if _ours(pid):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(_ours(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in pids:
        if _ours(pid):
            os.kill(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)
    typer.echo(f"services: stopped {len(pids) - 1} instances")


@app.command()
def rebuild(service: Domain, region: Region = typer.Option(..., "--region")) -> None:
    """Rebuild one instance's store from the topics (stop the instance first)."""
    import httpx

    from shared.entrypoints.rebuild import describe
    from shared.entrypoints.rebuild import rebuild as run_rebuild

    settings = instance_settings(region=region, service=service)
    try:
        httpx.get(f"http://{settings.host}:{settings.port}/healthz", timeout=1)
        typer.echo(f"the {region.value} {service.value} instance is running on port {settings.port}: stop it first")
        raise typer.Exit(2)
    except httpx.HTTPError:
        pass
    for line in describe(run_rebuild(settings), service):
        typer.echo(line)


def _parse_ttl(text: str) -> timedelta:
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    if not text or text[-1] not in units or not text[:-1].isdigit():
        raise typer.BadParameter("use a number and s, m, h or d, e.g. 8h")
    return timedelta(**{units[text[-1]]: int(text[:-1])})


@app.command()
def token(
    region: Region = typer.Option(..., "--region"),
    role: list[str] = typer.Option(..., "--role", help="repeat for several roles"),
    agency: str | None = None,
    subject: str | None = None,
    ttl: str = "8h",
) -> None:
    """Mint a development token signed with the region's local key."""
    from shared.adapters.tokens import load_private_key, mint
    from shared.rules.policy import Role

    roles = [Role(r) for r in role]
    key = load_private_key(instance_settings().keys_dir, region)
    typer.echo(mint(key, region, subject or f"{region.value}-{roles[0].value}", roles, agency, _parse_ttl(ttl)))


@app.command()
def demo(port_base: int | None = None) -> None:
    """Walk through all four services across the regions against running instances (`make run`)."""
    from shared.entrypoints import demo as walkthrough

    try:
        walkthrough.run(instance_settings(port_base=port_base), typer.echo)
    except Exception as error:  # a demo against a system that is not (fully) running: say so plainly
        typer.echo(f"demo stopped: {error}", err=True)
        raise typer.Exit(1) from None


@app.command()
def schemas(out: Path = Path("docs/schemas")) -> None:
    """Write the JSON Schema of every event type, one file per type."""
    from shared.contracts import json_schemas

    out.mkdir(parents=True, exist_ok=True)
    for type_string, schema in json_schemas().items():
        (out / f"{type_string}.json").write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    typer.echo(f"wrote {len(json_schemas())} schemas to {out}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
