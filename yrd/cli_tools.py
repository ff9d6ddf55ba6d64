"""`yrd` tools for operators: topics, development keys, the audit chain, dead letters (sub-commands of
the `yrd` cli, yrd/cli.py)."""

from __future__ import annotations

from dataclasses import asdict

import typer

from shared.contracts.regions import SERVICES, Domain, Region
from shared.core.settings import Settings
from yrd.cli_output import EXIT_CODES, FAILURE_FOUND, JSON_OPTION, OK, USAGE, emit, fail

topics_app = typer.Typer(no_args_is_help=True, help="Kafka topics and their ACLs.", epilog=EXIT_CODES)
keys_app = typer.Typer(no_args_is_help=True, help="Development keys, certificates and tokens.", epilog=EXIT_CODES)
audit_app = typer.Typer(no_args_is_help=True, help="The audit log's hash chain.", epilog=EXIT_CODES)
dlq_app = typer.Typer(no_args_is_help=True, help="Dead letters: list them, replay them.", epilog=EXIT_CODES)

REGION = typer.Option(..., "--region", help="The region: jiashan, qingpu or wujiang.")
SERVICE = typer.Option(..., "--service", help="The service: filing, alerts, corrections or notary.")


def instance_settings(**overrides: object) -> Settings:
    service = overrides.get("service")
    if isinstance(service, Domain) and not service.is_service:
        raise typer.BadParameter(f"{service.value} is a topic domain, not a service ({', '.join(SERVICES)})")
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@topics_app.command("create")
def topics_create(
    prefix: str | None = typer.Option(None, help="Topic name prefix (default: YRD_TOPIC_PREFIX)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create every topic and dead-letter topic that is missing, and grant the principals their ACLs."""
    from shared.adapters.kafka.admin import provision

    settings = instance_settings()
    created = provision(settings.kafka_admin, prefix=prefix if prefix is not None else settings.topic_prefix)
    emit(
        as_json,
        {"created": created},
        [f"created {len(created)} topics" + (": " + ", ".join(created) if created else "")],
    )


@topics_app.command("list")
def topics_list(as_json: bool = JSON_OPTION) -> None:
    """The broker's topics, one a line."""
    from shared.adapters.kafka.admin import list_topics

    names = list(list_topics(instance_settings().kafka_admin))
    emit(as_json, names, names)


@keys_app.command("init")
def keys_init() -> None:
    """Generate development keys once (production keys are configured, never generated)."""
    from shared.adapters.tls import init_dev_tls
    from shared.adapters.tokens import init_dev_keys

    settings = instance_settings()
    keys_dir = settings.keys_dir
    typer.echo(f"{'generated' if init_dev_keys(keys_dir) else 'kept'} development keys in {keys_dir}")
    tls_dir = settings.resolved_tls_dir
    made = init_dev_tls(tls_dir)
    typer.echo(f"{'generated' if made else 'kept'} the development CA and instance certificates in {tls_dir}")


@keys_app.command("scrape-tokens")
def keys_scrape_tokens() -> None:
    """Mint Prometheus's scrape identity: a long-lived operator token per region (run by `yrd run-all`)."""
    from shared.adapters.tokens import write_scrape_tokens

    for path in write_scrape_tokens(instance_settings().keys_dir):
        typer.echo(f"wrote {path}")


@audit_app.command("verify")
def audit_verify(
    region: Region = REGION,
    service: Domain = SERVICE,
    against_topic: bool = typer.Option(True, help="Also compare with what was published to {region}.audit."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Check an instance's audit chain; name the first entry altered, removed or reordered."""
    from shared.adapters import audit
    from shared.adapters.stores import open_store, store_exists
    from shared.contracts.topics import topic

    settings = instance_settings(region=region, service=service)
    if not store_exists(settings):
        raise fail(USAGE, f"no store at {settings.db_path}", as_json)
    published = None
    if against_topic:
        from shared.adapters.kafka.audit_topic import published_hashes

        audit_topic = topic(region, Domain.AUDIT, settings.topic_prefix)
        published = published_hashes(settings.kafka_admin, audit_topic, settings.source)
    report = audit.verify(open_store(settings).connect(), published)
    document = {
        "ok": report.ok,
        "entries": report.entries,
        "matched_on_topic": len(published) if published is not None and report.ok else None,
        "first_bad_index": report.first_bad_index,
        "problem": report.problem,
    }
    if report.ok:
        anchor = f", {len(published)} matched on the audit topic" if published is not None else ""
        emit(as_json, document, [f"audit chain intact: {report.entries} entries{anchor}"])
        return
    emit(as_json, document)
    typer.echo(f"audit chain broken at entry {report.first_bad_index}: {report.problem}", err=True)
    raise typer.Exit(FAILURE_FOUND)


@dlq_app.command("show")
def dlq_show(
    region: Region = REGION,
    domain: str = typer.Option(..., "--domain", help="The topic's domain: filing, alerts, corrections, notary."),
    limit: int = typer.Option(50, help="At most this many, the newest."),
    commands: bool = typer.Option(False, "--commands", help="Agency commands that were no commands."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The newest dead letters a region's consumers set aside for a domain, with why and from where."""
    from shared.adapters.kafka.dlq import read_dead_letters
    from shared.contracts import topics

    settings = instance_settings()
    parked = (topics.commands if commands else topics.topic)(region, Domain(domain), settings.topic_prefix)
    letters = read_dead_letters(settings.kafka_admin, topics.dlq(parked), limit)
    lines = [f"{x.at}  {x.reason:16} {x.source:32} {x.event_type or '-':40} {x.detail}" for x in letters]
    emit(as_json, [asdict(letter) for letter in letters], lines or ["no dead letters"])


@dlq_app.command("replay")
def dlq_replay(
    region: Region = REGION,
    service: Domain = SERVICE,
    offset: list[int] = typer.Option(None, "--offset", help="Only these dead-letter offsets (repeatable)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """After fixing their cause, run a region's dead letters through its service's handler again."""
    from shared.adapters.kafka.dlq import replay
    from shared.contracts.topics import dlq, topic
    from yrd.registry import open_instance

    settings = instance_settings(region=region, service=service)
    runtime = open_instance(settings).runtime
    dead_letters = dlq(topic(region, service, settings.topic_prefix))
    only = set(offset) if offset else None
    # The instance's own reader: a dead letter's signature is checked again before it is applied.
    report = replay(settings.kafka, dead_letters, runtime.consumer.apply, only, runtime.consumer.read)
    poison = [{"offset": dead_offset, "reason": reason} for dead_offset, reason in report.still_poison]
    emit(as_json, {"applied": report.applied, "still_poison": poison})
    if not as_json:
        typer.echo(f"applied {report.applied} (already-processed events change nothing)")
    for dead_offset, reason in report.still_poison:
        typer.echo(f"offset {dead_offset}: still {reason}", err=True)
    raise typer.Exit(FAILURE_FOUND if report.still_poison else OK)
