"""The client package as an integrator meets it: its version, and a README whose examples name only what
the package has."""

from __future__ import annotations

import ast
import re
import tomllib

import yrd_client
from yrd_client import kafka, services

from shared.core.settings import ROOT

CLIENT = ROOT / "clients" / "python"
README = (CLIENT / "README.md").read_text()
EXAMPLES = re.findall(r"```python\n(.*?)```", README, re.DOTALL)


def test_version_is_the_pyproject_version():
    assert yrd_client.__version__ == tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]["version"]


def test_the_readme_examples_are_python_that_names_what_the_package_has():
    assert len(EXAMPLES) >= 5
    imported = []
    for example in EXAMPLES:
        for node in ast.walk(ast.parse(example)):
            if isinstance(node, ast.ImportFrom):
                imported += [(node.module, alias.name) for alias in node.names]
    modules = {"yrd_client": yrd_client, "yrd_client.kafka": kafka}
    assert [(module, name) for module, name in imported if not hasattr(modules[module], name)] == []


def test_every_operation_the_readme_names_exists():
    resources = {name.lower(): getattr(services, name) for name in ("Filing", "Alerts", "Corrections", "Notary")}
    named = set(re.findall(r"\b(filing|alerts|corrections|notary)\.([a-z_]+)\b", README))
    assert named, "the README names no operation"
    assert sorted(f"{r}.{op}" for r, op in named if not hasattr(resources[r], op)) == []
    assert all(hasattr(kafka.Commands, op) for op in ("submit", "send", "results"))
