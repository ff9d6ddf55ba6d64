"""What every `yrd` command shares in how it answers: the exit codes, `--json`, and the progress shown on
long work (on stderr, and only on a terminal, so stdout stays a clean report or JSON document)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

OK, FAILURE_FOUND, USAGE = 0, 1, 2
# Shown under `yrd --help` (and in docs/cli.md): what a script may rely on.
EXIT_CODES = (
    "Exit codes: 0 done, nothing wrong found; "
    "1 a failure found or the work failed (an audit chain broken, dead letters still poison, a demo or zone "
    "start that failed); "
    "2 wrong usage or a precondition not met (a bad option, no store, the instance still running, the zone "
    "not up)."
)

JSON_OPTION = typer.Option(False, "--json", help="Print the result as one JSON document on stdout.")


def emit(as_json: bool, document: Any, lines: Iterable[str] = ()) -> None:
    """The result: the JSON document, or the lines a person reads."""
    if as_json:
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2, default=str))
        return
    for line in lines:
        typer.echo(line)


def fail(code: int, message: str, as_json: bool = False, **document: Any) -> typer.Exit:
    """Say what went wrong (on stderr; in JSON on stdout too, with `error`), and the exit to raise."""
    typer.echo(message, err=True)
    if as_json:
        emit(True, {"error": message, **document})
    return typer.Exit(code)


class Counter:
    """A running count for work whose size is not known beforehand (records read from topics)."""

    def __init__(self, progress: Progress, task: Any) -> None:
        self._progress = progress
        self._task = task

    def advance(self, amount: int = 1) -> None:
        self._progress.advance(self._task, amount)


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Counter]:
    """A progress bar (a count and a pulsing bar when `total` is unknown) on stderr while the work runs;
    nothing when stderr is not a terminal (a pipe, CI, a test)."""
    console = Console(stderr=True)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        yield Counter(bar, bar.add_task(description, total=total))
