"""The corrections service, declared: what the platform needs to run an instance of it
(shared/entrypoints/service.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

import typer
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.corrections import api, domain, metrics, retention, service, store
from services.corrections.config import Config
from services.corrections.projection import PROJECTION
from services.corrections.reactions import reactions
from services.corrections.rows import SubjectRow, TransferRow, TravelRow, ViolationRow
from shared.adapters.tokens import load_id_hash_key
from shared.contracts.regions import Domain, Region
from shared.core.settings import Settings
from shared.core.uow import UnitOfWork
from shared.entrypoints.service import Instance, Service


class CorrectionsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YRD_CORRECTIONS_", extra="ignore")

    enrol_report_in_seconds: int = domain.ENROL_REPORT_IN_SECONDS  # a new subject reports in within this
    transfer_report_in_seconds: int = domain.TRANSFER_REPORT_IN_SECONDS  # ... and after a transfer, at the new home
    retention_days: int = domain.RETENTION_DAYS  # the full record is kept this long after release


def configure(settings: Settings, own: CorrectionsSettings) -> Config:
    return Config(
        load_id_hash_key(settings.resolved_id_hash_key_file),
        own.enrol_report_in_seconds,
        own.transfer_report_in_seconds,
        own.retention_days,
    )


def scanners(config: Config) -> list[Callable[[UnitOfWork], object]]:
    def scan_retention(uow: UnitOfWork) -> None:
        retention.purge_due(uow, datetime.now(UTC), config.retention_days)

    return [service.scan, scan_retention]


def retention_cli(open_instance: Callable[[Region], Instance[Config]]) -> typer.Typer:
    app = typer.Typer(no_args_is_help=True, help="Community-correction records past their retention period.")

    @app.command("run")
    def run(
        region: Region = typer.Option(..., "--region", help="The home region whose released subjects are purged."),
        days: int | None = typer.Option(None, "--days", help="The retention period (default: the instance's setting)."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON document on stdout."),
    ) -> None:
        """Purge, now, the full records of this region's subjects released longer ago than the retention period
        (the running instance's scanner does the same; its relay publishes the purges)."""
        instance = open_instance(region)
        runtime = instance.runtime
        period = instance.config.retention_days if days is None else days
        with _working(f"purging records released more than {period} days ago"):
            purged = runtime.store.write(
                lambda conn: retention.purge_due(runtime.unit_of_work(conn), datetime.now(UTC), period)
            )
        if as_json:
            typer.echo(json.dumps({"region": region.value, "retention_days": period, "purged": purged}, indent=2))
        else:
            typer.echo(f"purged {len(purged)} record(s) released more than {period} days ago")

    return app


def _working(description: str) -> AbstractContextManager[object]:
    """A spinner and the time elapsed on stderr, on a terminal only (the purge is one transaction)."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    progress = Progress(*columns, console=console, transient=True, disable=not console.is_terminal)
    progress.add_task(description, total=None)
    return progress


SERVICE = Service(
    domain=Domain.CORRECTIONS,
    settings=CorrectionsSettings,
    configure=configure,
    migrations=store.MIGRATIONS,
    projection=PROJECTION,
    reactions=lambda config: reactions(config.transfer_report_in_seconds),
    creates=api.creates,
    routers=lambda instance: [api.make_router(instance.config), api.movements_router],
    scanners=scanners,
    gauges=metrics.refresh,
    rows={"subjects": SubjectRow, "travels": TravelRow, "transfers": TransferRow, "violations": ViolationRow},
    cli=retention_cli,
    cli_name="retention",
    tag="corrections",
)
