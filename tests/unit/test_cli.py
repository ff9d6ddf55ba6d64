"""The `yrd` command's conventions: help on every command, option and argument; `--version`; the exit
codes its help promises (0 done, 1 a failure found, 2 wrong usage or a precondition not met); `--json`
that parses."""

from __future__ import annotations

import json
from importlib.metadata import version
from typing import Any

import typer
from typer.testing import CliRunner

from yrd import cli

runner = CliRunner()


def commands(command: Any, path: str = "yrd") -> list[tuple[str, Any]]:
    found = [(path, command)]
    if hasattr(command, "commands"):  # a group (typer's own click: not click.Group)
        for name, sub in command.commands.items():
            found += commands(sub, f"{path} {name}")
    return found


def test_every_command_option_and_argument_says_what_it_is():
    undocumented = []
    found = commands(typer.main.get_command(cli.app))
    assert {"yrd rebuild", "yrd audit verify", "yrd zone status", "yrd retention run"} <= {path for path, _ in found}
    for path, command in found:
        if not (command.help or command.short_help):
            undocumented.append(path)
        for param in command.params:
            if param.name != "help" and not getattr(param, "help", None):
                undocumented.append(f"{path} {param.name}")
    assert undocumented == []


def test_the_help_documents_the_exit_codes():
    shown = runner.invoke(cli.app, ["--help"], terminal_width=200)
    assert shown.exit_code == 0
    assert all(code in shown.output for code in ("Exit codes: 0 done", "1 a failure found", "2 wrong usage"))


def test_version_is_the_installed_package_version():
    shown = runner.invoke(cli.app, ["--version"])
    assert (shown.exit_code, shown.output.strip()) == (0, f"yrd {version('yrd-legal-link')}")


def test_wrong_usage_exits_2():
    assert runner.invoke(cli.app, ["token", "--region", "nowhere", "--role", "x"]).exit_code == 2
    assert runner.invoke(cli.app, ["rebuild", "filing"]).exit_code == 2  # --region missing


def test_a_missing_store_is_a_precondition_exit_2_with_json_saying_so(tmp_path, monkeypatch):
    monkeypatch.setenv("YRD_DATA_DIR", str(tmp_path))
    args = ["audit", "verify", "--region", "qingpu", "--service", "filing", "--no-against-topic", "--json"]
    ran = runner.invoke(cli.app, args)
    assert ran.exit_code == 2
    assert "no store at" in json.loads(ran.stdout)["error"]


def test_zone_status_json_parses_when_nothing_runs(tmp_path):
    ran = runner.invoke(cli.app, ["zone", "status", "--state", str(tmp_path), "--offset", "31000", "--json"])
    assert ran.exit_code == 0
    status = json.loads(ran.stdout)
    assert status["links_cut"] is None
    assert status["processes"] and not any(status["processes"].values())
