"""`yrd zone`: the three-cluster zone (one Kafka cluster per region, MirrorMaker 2 between them)."""

from __future__ import annotations

from pathlib import Path

import httpx
import typer

from shared.contracts.regions import Region
from shared.core.settings import ROOT
from yrd.cli_output import EXIT_CODES, FAILURE_FOUND, JSON_OPTION, USAGE, emit, fail
from yrd.zone.layout import ZoneLayout
from yrd.zone.links import Action, switch
from yrd.zone.processes import Zone

DEFAULT_STATE = ROOT / ".cache" / "kafka" / "zone"

zone_app = typer.Typer(no_args_is_help=True, help="The three-cluster zone (`make run-zone`).", epilog=EXIT_CODES)

_STATE = typer.Option(DEFAULT_STATE, "--state", help="Where the clusters keep their data and logs.")
_OFFSET = typer.Option(0, "--offset", help="Added to every port (tests run a zone beside yours).")
_REGION = typer.Argument(..., help="The region: jiashan, qingpu or wujiang.")


def layout_of(state: Path = DEFAULT_STATE, offset: int = 0) -> ZoneLayout:
    return ZoneLayout(state, offset)


@zone_app.command("up")
def up(state: Path = _STATE, offset: int = _OFFSET) -> None:
    """Start the three clusters, provision every topic on each, then the links and the MirrorMakers."""
    zone = Zone(layout_of(state, offset))
    try:
        zone.up()
    except RuntimeError as error:
        raise fail(FAILURE_FOUND, f"zone: {error}") from None
    for region in Region:
        typer.echo(f"zone: {region.value:8} cluster {zone.layout.bootstrap(region)}, MirrorMaker pulling the others")
    typer.echo(f"zone: links between the regions, controlled at http://127.0.0.1:{zone.layout.control_port}/links")


@zone_app.command("down")
def down(state: Path = _STATE, offset: int = _OFFSET) -> None:
    """Stop the MirrorMakers, the links and the clusters (data is kept)."""
    Zone(layout_of(state, offset)).down()
    typer.echo("zone: stopped")


@zone_app.command("status")
def status(state: Path = _STATE, offset: int = _OFFSET, as_json: bool = JSON_OPTION) -> None:
    """Which brokers, MirrorMakers and links run, and which links are cut."""
    zone = Zone(layout_of(state, offset))
    processes = zone.status()
    try:
        links = httpx.get(f"http://127.0.0.1:{zone.layout.control_port}/links", timeout=2).json()
    except httpx.HTTPError:
        links = None  # the links' process is down (its line above says so)
    lines = [f"{name:16} {'up' if up_ else 'DOWN'}" for name, up_ in processes.items()]
    lines += [f"link {link:17} {'CUT' if cut else 'open'}" for link, cut in (links or {}).items()]
    emit(as_json, {"processes": processes, "links_cut": links}, lines)


def _switch(region: Region, action: Action, offset: int) -> None:
    try:
        switch(layout_of(offset=offset), region, action)
    except httpx.HTTPError as error:
        raise fail(USAGE, f"zone: the links do not answer ({error}); is the zone up?") from None
    typer.echo(f"zone: {region.value} {'cut off from' if action is Action.CUT else 'rejoined'} the other regions")


@zone_app.command("cut")
def cut(region: Region = _REGION, offset: int = _OFFSET) -> None:
    """Partition: cut every link into and out of REGION (its own cluster and instances keep running)."""
    _switch(region, Action.CUT, offset)


@zone_app.command("heal")
def heal(region: Region = _REGION, offset: int = _OFFSET) -> None:
    """Heal the partition: restore REGION's links; MirrorMaker catches up from where it stopped."""
    _switch(region, Action.HEAL, offset)
