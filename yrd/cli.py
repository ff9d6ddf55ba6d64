"""`yrd`: the one entry point for humans and scripts.

yrd serve filing --region qingpu [--processes N]   one instance (port by the port map), N processes on PostgreSQL
yrd run-all [--zone]                 every service for all three regions, the operations page, Prometheus
yrd stop                             stop what this checkout's run-all started (and nothing else)
yrd zone up | down | status | cut R | heal R   the three-cluster zone (MirrorMaker 2 between regions)
yrd console                          the operations page (port base + 0)
yrd desk --region R                  a region's desk for clerks and officers (port base + 100 × region digit)
yrd digest --date YYYY-MM-DD         one day's operations page as PNG and PDF
yrd demo                             walk through the six services against running instances
yrd rebuild SERVICE --region R       a lost store's read models, audit chain and sequences, from the topics
yrd backup --region R --service S --to FILE     a consistent copy of a serving instance's store
yrd restore --region R --service S --from FILE  put it back (instance stopped) and catch up from the topics
yrd topics create | list             provision / show topics and ACLs
yrd keys init | scrape-tokens        development keys, certificates and trust file / Prometheus's tokens
yrd token --region R --role ROLE     mint a development token
yrd token --from-idp --region R --client C   an agency client's token from the region's identity provider
yrd audit verify --region R --service S
yrd dlq show | replay                dead letters: list them, replay them once the cause is fixed
yrd retention run --region R         purge released subjects' records past their retention period
yrd evidence verify FILE             a procuratorate's exported delivery evidence, checked offline
yrd schemas --out DIR                JSON Schemas, AsyncAPI and OpenAPI documents, the client's models and operations
yrd docs                             the tables in docs/ generated from the code (events, configuration)

`yrd COMMAND --help` tells each command's options; what lists or reports takes --json; `yrd --version`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import typer

from shared.contracts.regions import Domain, Region
from shared.entrypoints.service import Instance
from yrd import backup_cli, launcher
from yrd.cli_output import EXIT_CODES, FAILURE_FOUND, JSON_OPTION, USAGE, emit, fail, progress
from yrd.cli_tools import audit_app, dlq_app, instance_settings, keys_app, topics_app
from yrd.registry import SERVICES, open_instance
from yrd.zone.cli import zone_app

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__, epilog=EXIT_CODES)
app.add_typer(topics_app, name="topics")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(dlq_app, name="dlq")
app.add_typer(zone_app, name="zone")


def _version(shown: bool) -> None:
    if shown:
        from importlib.metadata import version

        typer.echo(f"yrd {version('yrd-legal-link')}")
        raise typer.Exit()


@app.callback()
def _options(
    _: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """The options every command shares."""


SERVICE_ARGUMENT = typer.Argument(..., help="The service: filing, alerts, corrections or notary.")
REGION_OPTION = typer.Option(..., "--region", help="The region: jiashan, qingpu or wujiang.")
PORT_BASE_OPTION = typer.Option(None, help="The port map's base (default: YRD_PORT_BASE, 8000).")


def _opener(service: Domain) -> Callable[[Region], Instance]:
    """How a service's own tool opens its instance in a region (wired from this checkout's settings)."""
    return lambda region: open_instance(instance_settings(region=region, service=service))


for _service in SERVICES.values():  # the services' own tools: `yrd retention run ...`
    if _service.cli is not None:
        app.add_typer(_service.cli(_opener(_service.domain)), name=_service.cli_name or _service.domain.value)


@app.command()
def serve(
    service: Domain = SERVICE_ARGUMENT,
    region: Region = REGION_OPTION,
    port_base: int | None = PORT_BASE_OPTION,
    processes: int | None = typer.Option(
        None, min=1, help="Processes serving it (default: YRD_PROCESSES, 1); PostgreSQL store only."
    ),
    worker: bool = typer.Option(False, "--worker", hidden=True, help="One of the processes `--processes N` starts."),
) -> None:
    """Run one service instance for one region (and its peer listener, mutual TLS, on port + 50)."""
    from shared.adapters import logs
    from shared.entrypoints.serving import serve as serve_instance
    from yrd import processes as supervisor

    settings = instance_settings(service=service, region=region, port_base=port_base, processes=processes)
    logs.configure(settings.log_level, settings.kafka_log_level, service=service.value, region=region.value)
    supervisor.check_processes(settings)
    if settings.processes > 1 and not worker:
        worker_command = [*supervisor.WORKER_COMMAND, "serve", service.value, "--region", region.value]
        worker_command += ["--port-base", str(settings.port_base), "--processes", str(settings.processes), "--worker"]
        raise typer.Exit(supervisor.supervise(settings, worker_command))
    serve_instance(SERVICES[service].app(settings), settings)


@app.command()
def console(
    port_base: int | None = PORT_BASE_OPTION,
    port: int | None = typer.Option(None, help="Listen here instead of the port base."),
) -> None:
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
def desk(
    region: Region = typer.Option(..., help="The region whose people this desk serves."),
    port_base: int | None = PORT_BASE_OPTION,
    port: int | None = typer.Option(None, help="Listen here instead of port base + 100 × region digit."),
) -> None:
    """Run a region's desk (services/desk): people sign in at the region's identity provider and work."""
    import uvicorn

    from services.desk.app import build, port_of_desk
    from shared.adapters import logs

    settings = instance_settings(port_base=port_base, region=region)
    logs.configure(settings.log_level, settings.kafka_log_level, service="desk", region=region.value)
    uvicorn.run(build(settings), host=settings.host, port=port or port_of_desk(settings), log_config=None,
                access_log=False, loop="uvloop", http="httptools")  # fmt: skip


@app.command()
def digest(
    day: str = typer.Option(..., "--date", help="YYYY-MM-DD (Beijing time); today gives the figures so far"),
    console_url: str = typer.Option("", "--console", help="default: this machine's console (port base)"),
    out: Path = typer.Option(Path("var/digests"), "--out", help="The folder the PNG and PDF are written to."),
    send: bool = typer.Option(False, "--send", help="and deliver it now to the digest's receivers (docs/alerting.md)"),
) -> None:
    """Write one day's operations page as PNG and PDF (the picture sent to the leaders every day)."""
    if send:
        from datetime import date

        from services.console.schedule import send_now

        outcomes = send_now(instance_settings(), date.fromisoformat(day), console_url or None)
        for receiver, error in outcomes.items():
            typer.echo(f"{receiver}: {error or 'delivered'}", err=error is not None)
        raise typer.Exit(1 if any(outcomes.values()) else 0)
    from datetime import date

    try:
        from services.console.digest import render
    except ImportError as error:  # selenium is the `digest` extra (make setup installs it)
        raise fail(USAGE, f"yrd digest needs the digest extra: pip install -e '.[digest]' ({error})") from None
    from services.console.schedule import digest_token
    from shared.adapters.idp.client_token import NoToken

    settings = instance_settings()
    when = date.fromisoformat(day)
    try:
        token = digest_token(settings)
    except NoToken as error:
        raise fail(FAILURE_FOUND, str(error)) from None
    png, pdf = render(console_url or f"http://127.0.0.1:{settings.port_base}", token, when, out)
    typer.echo(f"wrote {png}\nwrote {pdf}")


app.command("run-all")(launcher.run_all)
app.command("stop")(launcher.stop_all)
app.command("backup")(backup_cli.backup)
app.command("restore")(backup_cli.restore)


@app.command()
def rebuild(service: Domain = SERVICE_ARGUMENT, region: Region = REGION_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Rebuild one instance's store from the topics (stop the instance first)."""
    import httpx

    from yrd.rebuild import describe
    from yrd.rebuild import rebuild as run_rebuild

    settings = instance_settings(region=region, service=service)
    try:
        httpx.get(f"http://{settings.host}:{settings.port}/healthz", timeout=1)
        running = f"the {region.value} {service.value} instance is running on port {settings.port}: stop it first"
    except httpx.HTTPError:
        running = ""
    if running:
        raise fail(USAGE, running, as_json)
    with progress("events read from the topics") as read:
        report = run_rebuild(settings, on_records=read.advance)
    document = {
        "service": service.value,
        "region": region.value,
        "applied": dict(report.applied),
        "poison": report.poison,
        "audit_entries": report.audit_entries,
        "sequences": report.sequences,
        "seconds": round(report.seconds, 3),
        "moved_aside": str(report.moved_aside) if report.moved_aside else None,
    }
    emit(as_json, document, describe(report, service))


def _parse_ttl(text: str) -> timedelta:
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    if not text or text[-1] not in units or not text[:-1].isdigit():
        raise typer.BadParameter("use a number and s, m, h or d, e.g. 8h")
    return timedelta(**{units[text[-1]]: int(text[:-1])})


@app.command()
def token(
    region: Region = REGION_OPTION,
    role: list[str] = typer.Option([], "--role", help="repeat for several roles"),
    agency: str | None = typer.Option(None, help="The agency the token acts for (an agency's roles)."),
    subject: str | None = typer.Option(None, help="The token's subject (default: REGION-ROLE)."),
    ttl: str = typer.Option("8h", help="How long the token lives: a number and s, m, h or d."),
    from_idp: bool = typer.Option(False, "--from-idp", help="the provider's token for --client (client credentials)"),
    client: str | None = typer.Option(None, "--client", help="with --from-idp: the agency client"),
) -> None:
    """Mint a development token signed with the region's local key (or, --from-idp, get a client's token)."""
    from shared.adapters.tokens import load_private_key, mint
    from shared.rules.policy import Role

    if from_idp or client:
        from shared.adapters.idp.client_token import NoToken, client_token

        if not client:
            raise typer.BadParameter("--client is needed with --from-idp")
        try:
            typer.echo(client_token(instance_settings().resolved_trust_file, region, client))
        except NoToken as error:
            raise typer.BadParameter(str(error)) from None
        return
    if not role:
        raise typer.BadParameter("--role is needed for a development token")
    roles = [Role(r) for r in role]
    key = load_private_key(instance_settings().keys_dir, region)
    typer.echo(mint(key, region, subject or f"{region.value}-{roles[0].value}", roles, agency, _parse_ttl(ttl)))


@app.command()
def demo(port_base: int | None = PORT_BASE_OPTION) -> None:
    """Walk through all six services across the regions against running instances (`make run`)."""
    from yrd import demo as walkthrough

    try:
        walkthrough.run(instance_settings(port_base=port_base), typer.echo)
    except Exception as error:  # a demo against a system that is not (fully) running: say so plainly
        typer.echo(f"demo stopped: {error}", err=True)
        raise typer.Exit(1) from None


@app.command()
def schemas(
    out: Path = typer.Option(Path("docs/schemas"), help="The folder of the events' JSON Schemas."),
    asyncapi: Path = typer.Option(Path("docs/asyncapi.yaml"), help="The AsyncAPI document written."),
) -> None:
    """Write the JSON Schema of every event type, one file per type, and the AsyncAPI 3.0 document."""
    import yaml

    from shared.contracts import json_schemas
    from shared.contracts.asyncapi import document
    from yrd.client_codegen import generated_files

    out.mkdir(parents=True, exist_ok=True)
    schemas = json_schemas()
    for type_string, schema in schemas.items():
        (out / f"{type_string}.json").write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    typer.echo(f"wrote {len(schemas)} schemas to {out}")
    header = "# Generated by `make schemas` from the code's declarations (shared/contracts): do not edit.\n"
    asyncapi.write_text(header + yaml.safe_dump(document(), sort_keys=False, allow_unicode=True, width=120))
    typer.echo(f"wrote {asyncapi}")
    for path, content in generated_files().items():  # OpenAPI documents, the client's models and operations
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        typer.echo(f"wrote {path}")


@app.command()
def docs() -> None:
    """Rewrite the tables in docs/ that are generated from the code (events, configuration)."""
    from yrd import doc_tables

    doc_tables.main()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
