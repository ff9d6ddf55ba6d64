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
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import typer

from shared.regions import SERVICES, Domain, Region, port_of
from shared.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
topics_app = typer.Typer(no_args_is_help=True, help="Kafka topics")
keys_app = typer.Typer(no_args_is_help=True, help="Signing keys")
audit_app = typer.Typer(no_args_is_help=True, help="Audit log")
app.add_typer(topics_app, name="topics")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
dlq_app = typer.Typer(no_args_is_help=True, help="Dead letters")
app.add_typer(dlq_app, name="dlq")


def implemented_services() -> list[Domain]:
    return [s for s in SERVICES if importlib.util.find_spec(f"services.{s.value}.app") is not None]


def _settings(**overrides: object) -> Settings:
    service = overrides.get("service")
    if isinstance(service, Domain) and not service.is_service:
        raise typer.BadParameter(f"{service.value} is a topic domain, not a service ({', '.join(SERVICES)})")
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@app.command()
def serve(service: Domain, region: Region = typer.Option(..., "--region"), port_base: int | None = None) -> None:
    """Run one service instance for one region."""
    import uvicorn

    from shared import logs

    settings = _settings(service=service, region=region, port_base=port_base)
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


@app.command("run-all")
def run_all(port_base: int | None = None) -> None:
    """Start every implemented service for all three regions; Ctrl-C stops them all."""
    base = port_base or _settings().port_base
    children: list[subprocess.Popen[bytes]] = []
    instances = [(region, service) for service in implemented_services() for region in Region]
    for region, service in instances:
        cmd = [
            sys.executable,
            "-m",
            "shared.cli",
            "serve",
            service.value,
            "--region",
            region.value,
            "--port-base",
            str(base),
        ]
        children.append(subprocess.Popen(cmd, env=os.environ.copy()))
        typer.echo(f"started {region.value:8} {service.value:12} http://127.0.0.1:{port_of(region, service, base)}")
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
            typer.echo(f"{region.value} {service.value} exited ({child.returncode}); stopping the others", err=True)
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


def _run_pidfile() -> Path:
    """Where run-all records its own and its instances' pids: in this checkout's data directory."""
    return _settings().data_dir / "run" / "run-all.pid"


def _ours(pid: int) -> bool:
    """A pid from the file is signalled only if it is still one of our processes (pids are reused)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"shared.cli" in command or b"/yrd\0" in command


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

    from shared.rebuild import describe
    from shared.rebuild import rebuild as run_rebuild

    settings = _settings(region=region, service=service)
    try:
        httpx.get(f"http://{settings.host}:{settings.port}/healthz", timeout=1)
        typer.echo(f"the {region.value} {service.value} instance is running on port {settings.port}: stop it first")
        raise typer.Exit(2)
    except httpx.HTTPError:
        pass
    for line in describe(run_rebuild(settings), service):
        typer.echo(line)


@topics_app.command("create")
def topics_create(prefix: str | None = None) -> None:
    """Create every topic and dead-letter topic that is missing."""
    from shared.kafka.admin import ensure_topics

    settings = _settings()
    created = ensure_topics(settings.kafka_bootstrap, prefix=prefix if prefix is not None else settings.topic_prefix)
    typer.echo(f"created {len(created)} topics" + (": " + ", ".join(created) if created else ""))


@topics_app.command("list")
def topics_list() -> None:
    from shared.kafka.admin import list_topics

    for name in list_topics(_settings().kafka_bootstrap):
        typer.echo(name)


@keys_app.command("init")
def keys_init() -> None:
    """Generate development keys once (production keys are configured, never generated)."""
    from shared.auth.tokens import init_dev_keys

    keys_dir = _settings().keys_dir
    typer.echo(f"{'generated' if init_dev_keys(keys_dir) else 'kept'} development keys in {keys_dir}")


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
    from shared.auth.policy import Role
    from shared.auth.tokens import load_private_key, mint

    roles = [Role(r) for r in role]
    key = load_private_key(_settings().keys_dir, region)
    typer.echo(mint(key, region, subject or f"{region.value}-{roles[0].value}", roles, agency, _parse_ttl(ttl)))


@audit_app.command("verify")
def audit_verify(
    region: Region = typer.Option(..., "--region"),
    service: Domain = typer.Option(..., "--service"),
    against_topic: bool = typer.Option(True, help="also compare with what was published to {region}.audit"),
) -> None:
    """Check an instance's audit chain; name the first entry altered, removed or reordered."""
    from shared import audit
    from shared.store import Store
    from shared.topics import topic

    settings = _settings(region=region, service=service)
    if not settings.db_path.exists():
        typer.echo(f"no store at {settings.db_path}", err=True)
        raise typer.Exit(2)
    published = None
    if against_topic:
        from shared.kafka.audit_topic import published_hashes

        audit_topic = topic(region, Domain.AUDIT, settings.topic_prefix)
        published = published_hashes(settings.kafka_bootstrap, audit_topic, settings.source)
    report = audit.verify(Store(settings.db_path).connect(), published)
    if report.ok:
        anchor = f", {len(published)} matched on the audit topic" if published is not None else ""
        typer.echo(f"audit chain intact: {report.entries} entries{anchor}")
        return
    typer.echo(f"audit chain broken at entry {report.first_bad_index}: {report.problem}", err=True)
    raise typer.Exit(1)


@dlq_app.command("show")
def dlq_show(
    region: Region = typer.Option(..., "--region"), domain: str = typer.Option(..., "--domain"), limit: int = 50
) -> None:
    """The newest dead letters a region's consumers set aside for a domain, with why and from where."""
    from shared.kafka.dlq import read_dead_letters
    from shared.topics import dlq, topic

    settings = _settings()
    letters = read_dead_letters(
        settings.kafka_bootstrap, dlq(topic(region, Domain(domain), settings.topic_prefix)), limit
    )
    if not letters:
        typer.echo("no dead letters")
    for letter in letters:
        typer.echo(f"{letter.at}  {letter.reason:16} {letter.source:32} {letter.event_type or '-':40} {letter.detail}")


@dlq_app.command("replay")
def dlq_replay(
    region: Region = typer.Option(..., "--region"),
    service: Domain = typer.Option(..., "--service"),
    offset: list[int] = typer.Option(None, "--offset", help="only these dead-letter offsets (repeatable)"),
) -> None:
    """After fixing their cause, run a region's dead letters through its service's handler again."""
    from shared.kafka.dlq import replay
    from shared.topics import dlq, topic

    settings = _settings(region=region, service=service)
    runtime = importlib.import_module(f"services.{service.value}.app").build(settings).state.runtime
    dead_letters = dlq(topic(region, service, settings.topic_prefix))
    report = replay(settings.kafka_bootstrap, dead_letters, runtime.consumer.apply, set(offset) if offset else None)
    typer.echo(f"applied {report.applied} (already-processed events change nothing)")
    for dead_offset, reason in report.still_poison:
        typer.echo(f"offset {dead_offset}: still {reason}", err=True)
    raise typer.Exit(1 if report.still_poison else 0)


@app.command()
def demo(port_base: int | None = None) -> None:
    """Walk through all four services across the regions against running instances (`make run`)."""
    from shared import demo as walkthrough

    try:
        walkthrough.run(_settings(port_base=port_base), typer.echo)
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
