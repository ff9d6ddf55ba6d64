"""`yrd evidence verify FILE`: an exported evidence document checked offline against the trust file's
public keys: every receipt's signature, the order of each chain, the hashes linking it, and the export's
own signature. Exit 0 when it holds; 1 with each problem named by its receipt."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from services.procuratorate import evidence
from shared.adapters.signing import EventTrust
from shared.contracts.regions import Region
from shared.core.settings import Settings


def evidence_cli(open_instance: Callable[..., Any]) -> typer.Typer:
    app = typer.Typer(help="Delivery evidence of the procuratorates' channel.", no_args_is_help=True)

    @app.command()
    def verify(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="An exported evidence document."),
        trust: Path | None = typer.Option(None, help="The trust file (default: this checkout's keys/trust.json)."),
        as_json: bool = typer.Option(False, "--json", help="The outcome as JSON: verified, problems, the record."),
    ) -> None:
        """Check an exported evidence document offline (exit 1 if anything does not hold)."""
        trust_file = trust or Settings(region=Region.JIASHAN).resolved_trust_file
        try:
            document = json.loads(file.read_text())
        except (ValueError, UnicodeDecodeError) as error:
            problems, document = [f"{file}: not JSON ({error})"], {}
        else:
            problems = evidence.verify(document, EventTrust.load(trust_file))
        record = document.get("record") or {}
        if as_json:
            outcome = {"verified": not problems, "problems": problems, "record": record}
            typer.echo(json.dumps({**outcome, "receipts": len(document.get("receipts") or [])}, ensure_ascii=False))
        elif problems:
            for problem in problems:
                typer.echo(f"REJECTED {problem}", err=True)
        else:
            typer.echo(
                f"verified: {record['record_kind']} {record['record_id']} from {record['sender_region']}, "
                f"{len(document['receipts'])} receipt(s), every signature, order and hash holds"
            )
        if problems:
            raise typer.Exit(1)

    return app
