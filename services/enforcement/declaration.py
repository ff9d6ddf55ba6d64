"""The enforcement service (同案同罚), declared: what the platform needs to run an instance of it
(shared/entrypoints/service.py), and its tools: `yrd enforcement seed` and `yrd enforcement report`."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import typer
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.enforcement import api, catalogue, domain, metrics, queries, report, store
from services.enforcement.models import MONTH
from services.enforcement.projection import PROJECTION
from services.enforcement.reactions import REACTIONS
from services.enforcement.rows import (
    BenchmarkRow,
    BenchmarkVersionRow,
    BenchmarkVoteRow,
    DecisionDetailsRow,
    DecisionRow,
)
from services.enforcement.service import Config
from shared.contracts.regions import Domain, Region
from shared.core.settings import Settings
from shared.entrypoints.service import Instance, Service


class EnforcementSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YRD_ENFORCEMENT_", extra="ignore")

    disparity_threshold: float = Field(
        domain.DISPARITY_THRESHOLD, description="a code and tier is flagged past this highest / lowest regional median"
    )
    outside_share_limit: float = Field(
        domain.OUTSIDE_SHARE_LIMIT, description="a region is flagged past this share of decisions outside the range"
    )
    min_cases: int = Field(
        domain.MIN_CASES, description="a region's median fine counts towards the disparity from this many decisions"
    )
    window_days: int = Field(90, description="the enforcement gauges measure the decisions of this many days")


def _config(own: EnforcementSettings) -> Config:
    return Config(own.disparity_threshold, own.outside_share_limit, own.min_cases, own.window_days)


def configure(settings: Settings, own: EnforcementSettings) -> Config:
    return _config(own)


@cache
def _gauge_config() -> Config:
    """The gauges' thresholds (a scrape is given the runtime only): the service's own settings, read once."""
    return _config(EnforcementSettings())


def tools(open_instance: Callable[[Region], Instance[Config]]) -> typer.Typer:
    app = typer.Typer(no_args_is_help=True, help="Discretion benchmarks and the consistency of penalties (同案同罚).")
    region_option = typer.Option(..., "--region", help="The region acting (its instance's store).")

    @app.command("seed")
    def seed(
        region: Region = region_option,
        path: Path = typer.Option(catalogue.CATALOGUE, "--catalogue", help="The catalogue (YAML)."),
    ) -> None:
        """This region's part in loading the starting catalogue: the first region proposes (and approves) what
        no benchmark covers; each other region approves the proposals it has received. Its relay publishes."""
        runtime = open_instance(region).runtime
        loaded = catalogue.load(path)
        done = runtime.store.write(lambda conn: catalogue.seed(runtime.unit_of_work(conn), loaded))
        typer.echo(json.dumps({"region": region.value, **done}, ensure_ascii=False, indent=2))

    @app.command("report")
    def monthly_report(
        month: str = typer.Option(..., "--month", help="The month, YYYY-MM (zone dates)."),
        region: Region = typer.Option(Region.QINGPU, "--region", help="The instance whose read model is read."),
        out: Path = typer.Option(Path("."), "--out", help="Where to write the CSV and the chart."),
    ) -> None:
        """The month's consistency per code, tier and region: `enforcement-MONTH.csv` and `.svg`."""
        if not MONTH.fullmatch(month):
            raise typer.BadParameter("YYYY-MM", param_hint="--month")
        instance = open_instance(region)
        first, last = queries.month_bounds(month)
        with instance.runtime.store.read() as conn:
            found = queries.consistency_of(store.decided_between(conn, first, last), instance.config)
        out.mkdir(parents=True, exist_ok=True)
        csv_path, chart_path = out / f"enforcement-{month}.csv", out / f"enforcement-{month}.svg"
        csv_path.write_text(report.csv_text(month, found), encoding="utf-8")
        chart_path.write_text(report.svg_chart(month, found, instance.config.disparity_threshold), encoding="utf-8")
        flagged = [f"{c.code}/{c.tier}" for c in found if c.flagged]
        typer.echo(json.dumps({"csv": str(csv_path), "chart": str(chart_path), "flagged": flagged}, indent=2))

    return app


SERVICE = Service(
    domain=Domain.ENFORCEMENT,
    settings=EnforcementSettings,
    configure=configure,
    migrations=store.MIGRATIONS,
    projection=PROJECTION,
    reactions=lambda config: REACTIONS,
    creates=api.creates,
    routers=lambda instance: [api.make_router(instance.config)],
    gauges=lambda runtime: metrics.refresh(runtime, _gauge_config()),
    rows={
        "benchmarks": BenchmarkRow,
        "benchmark_versions": BenchmarkVersionRow,
        "benchmark_votes": BenchmarkVoteRow,
        "decisions": DecisionRow,
        "decision_details": DecisionDetailsRow,
    },
    cli=tools,
    tag="enforcement",
)
