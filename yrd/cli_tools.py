"""`yrd` tools for operators: topics, development keys, the audit chain, dead letters (sub-commands of
the `yrd` cli, yrd/cli.py)."""

from __future__ import annotations

import typer

from shared.contracts.regions import SERVICES, Domain, Region
from shared.core.settings import Settings

topics_app = typer.Typer(no_args_is_help=True, help="Kafka topics")
keys_app = typer.Typer(no_args_is_help=True, help="Signing keys")
audit_app = typer.Typer(no_args_is_help=True, help="Audit log")
dlq_app = typer.Typer(no_args_is_help=True, help="Dead letters")


def instance_settings(**overrides: object) -> Settings:
    service = overrides.get("service")
    if isinstance(service, Domain) and not service.is_service:
        raise typer.BadParameter(f"{service.value} is a topic domain, not a service ({', '.join(SERVICES)})")
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@topics_app.command("create")
def topics_create(prefix: str | None = None) -> None:
    """Create every topic and dead-letter topic that is missing, and grant the principals their ACLs."""
    from shared.adapters.kafka.admin import provision

    settings = instance_settings()
    created = provision(settings.kafka_admin, prefix=prefix if prefix is not None else settings.topic_prefix)
    typer.echo(f"created {len(created)} topics" + (": " + ", ".join(created) if created else ""))


@topics_app.command("list")
def topics_list() -> None:
    from shared.adapters.kafka.admin import list_topics

    for name in list_topics(instance_settings().kafka_admin):
        typer.echo(name)


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
    region: Region = typer.Option(..., "--region"),
    service: Domain = typer.Option(..., "--service"),
    against_topic: bool = typer.Option(True, help="also compare with what was published to {region}.audit"),
) -> None:
    """Check an instance's audit chain; name the first entry altered, removed or reordered."""
    from shared.adapters import audit
    from shared.adapters.store import Store
    from shared.contracts.topics import topic

    settings = instance_settings(region=region, service=service)
    if not settings.db_path.exists():
        typer.echo(f"no store at {settings.db_path}", err=True)
        raise typer.Exit(2)
    published = None
    if against_topic:
        from shared.adapters.kafka.audit_topic import published_hashes

        audit_topic = topic(region, Domain.AUDIT, settings.topic_prefix)
        published = published_hashes(settings.kafka_admin, audit_topic, settings.source)
    report = audit.verify(Store(settings.db_path).connect(), published)
    if report.ok:
        anchor = f", {len(published)} matched on the audit topic" if published is not None else ""
        typer.echo(f"audit chain intact: {report.entries} entries{anchor}")
        return
    typer.echo(f"audit chain broken at entry {report.first_bad_index}: {report.problem}", err=True)
    raise typer.Exit(1)


@dlq_app.command("show")
def dlq_show(
    region: Region = typer.Option(..., "--region"),
    domain: str = typer.Option(..., "--domain"),
    limit: int = 50,
    commands: bool = typer.Option(False, "--commands", help="agency commands that were no commands"),
) -> None:
    """The newest dead letters a region's consumers set aside for a domain, with why and from where."""
    from shared.adapters.kafka.dlq import read_dead_letters
    from shared.contracts import topics

    settings = instance_settings()
    parked = (topics.commands if commands else topics.topic)(region, Domain(domain), settings.topic_prefix)
    letters = read_dead_letters(settings.kafka_admin, topics.dlq(parked), limit)
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
    from shared.adapters.kafka.dlq import replay
    from shared.contracts.topics import dlq, topic
    from yrd.registry import open_instance

    settings = instance_settings(region=region, service=service)
    runtime = open_instance(settings).runtime
    dead_letters = dlq(topic(region, service, settings.topic_prefix))
    only = set(offset) if offset else None
    # The instance's own reader: a dead letter's signature is checked again before it is applied.
    report = replay(settings.kafka, dead_letters, runtime.consumer.apply, only, runtime.consumer.read)
    typer.echo(f"applied {report.applied} (already-processed events change nothing)")
    for dead_offset, reason in report.still_poison:
        typer.echo(f"offset {dead_offset}: still {reason}", err=True)
    raise typer.Exit(1 if report.still_poison else 0)
