"""A service, declared once. Each service package exports one `Service`: its domain, its own settings,
its store's migrations, the projection and reactions of its events, its deadline scanners and gauges, the
commands that create its records, its routes, its command-line tools and what a rebuild restores. The
platform builds an instance from that alone (`instance`, `app`), so a service wires nothing by hand, and
the composition package (`yrd/`) adds a service to the zone with one line in its registry.

The functions of a declaration take the service's `config`: what `configure` made, once, at start-up,
from the platform's settings and the service's own (`settings`, read from `YRD_{DOMAIN}_*`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import typer
from fastapi import APIRouter, FastAPI
from pydantic_settings import BaseSettings

from shared.adapters.store import Migration
from shared.contracts.regions import Domain
from shared.core.route import EventRoute, Table
from shared.core.settings import Settings
from shared.entrypoints import audit_api, creates, daily_api
from shared.entrypoints.commands import attach_commands
from shared.entrypoints.creates import Creates
from shared.entrypoints.runtime import Runtime, Scanner, build_runtime
from shared.entrypoints.web import create_app

C = TypeVar("C")


class NoSettings(BaseSettings):
    """A service with no settings of its own."""


@dataclass(frozen=True)
class Instance(Generic[C]):
    """One region's instance of a service: its runtime (store, relay, consumer, scanners) and config."""

    service: Service[C]
    runtime: Runtime
    config: C
    creates: Sequence[Creates]  # the commands that create records, as declared for this config


@dataclass(frozen=True)
class Service(Generic[C]):
    domain: Domain
    migrations: Sequence[Migration]
    projection: Table
    configure: Callable[[Settings, Any], C]  # (the platform's settings, the service's own) -> config
    settings: type[BaseSettings] = NoSettings  # the service's own settings (YRD_{DOMAIN}_*)
    reactions: Callable[[C], Table] = lambda config: {}
    creates: Callable[[C], Sequence[Creates]] = lambda config: ()
    # Every other route, under /v1 (given the instance, for what a route asks of it beyond a unit of work).
    routers: Callable[[Instance[C]], Sequence[APIRouter]] = lambda instance: ()
    public_routers: Callable[[C], Sequence[APIRouter]] = lambda config: ()  # under /public/v1, no login
    scanners: Callable[[C], Sequence[Scanner]] = lambda config: ()
    gauges: Callable[[Runtime], None] | None = None  # refreshes the service's gauges before a scrape
    restore: Callable[[sqlite3.Connection, str], int] | None = None  # after a rebuild: sequences continued
    # The typed row of each table whose rows the service passes around (table name -> TypedDict), held to the
    # table's columns by tests/unit/test_rows.py.
    rows: Mapping[str, type] = field(default_factory=dict)
    # Command-line tools, `yrd <name> ...`: given a way to open this region's instance (not served).
    cli: Callable[[Callable[..., Instance[C]]], typer.Typer] | None = None
    cli_name: str = ""
    tag: str = ""  # the OpenAPI tag of the create routes (default: the domain)

    @property
    def title(self) -> str:
        return self.domain.value

    def instance(self, settings: Settings) -> Instance[C]:
        """Wire the real dependencies of one instance (nothing starts until its runtime does)."""
        config = self.configure(settings, self.settings())
        route = EventRoute(self.projection, self.reactions(config))
        runtime = build_runtime(settings, self.domain, self.migrations, route)
        runtime.scanners.extend(self.scanners(config))
        if self.gauges is not None:
            gauges = self.gauges
            runtime.gauges.append(lambda: gauges(runtime))
        declared = self.creates(config)
        attach_commands(runtime, creates.kafka_handlers(declared))
        return Instance(self, runtime, config, declared)

    def app(self, settings: Settings) -> FastAPI:
        """The served instance: its HTTP API over the runtime, which the app's lifespan starts and stops."""
        instance = self.instance(settings)
        create_routes = creates.router(instance.creates, self.tag or self.title)
        routers = [create_routes, *self.routers(instance), audit_api.router, daily_api.router]
        title = f"YRD {self.title} · {settings.region.value}"
        return create_app(instance.runtime, title, routers, public_routers=self.public_routers(instance.config))
