"""The tables in docs/ that are generated from the code (yrd/doc_tables.py) say what the code says."""

from __future__ import annotations

import re

import pytest

from shared.contracts import REGISTRY
from shared.contracts.commands import COMMANDS, RESULTS
from shared.core.settings import ROOT
from yrd import doc_tables

GENERATED = [(path, name) for path, tables in doc_tables.TABLES.items() for name in tables]


@pytest.mark.parametrize(("path", "name"), GENERATED)
def test_a_generated_table_in_docs_is_the_codes(path: str, name: str) -> None:
    committed = doc_tables.rendered_in((ROOT / path).read_text(), name)
    assert committed is not None, f"{path} has lost its <!-- generated:{name} --> markers"
    assert committed == doc_tables.TABLES[path][name](), (
        f"the {name} table in {path} differs from the code: regenerate it with {doc_tables.REGENERATE}"
    )


def test_the_event_table_names_every_declared_event_command_and_result_once() -> None:
    types = re.findall(r"^\| `(cn\.yrd\.[^`]+)` \|", doc_tables.events_table(), re.MULTILINE)
    declared = [*REGISTRY, *COMMANDS, *(result.type for result in RESULTS.values())]
    assert sorted(types) == sorted(declared)


def test_every_setting_has_its_variable_and_a_meaning() -> None:
    rows = doc_tables.settings_rows()
    variables = [variable for variable, *_ in rows]
    assert len(variables) == len(set(variables))
    assert {"KAFKA_BOOTSTRAP", "YRD_CONSUMER_GROUP", "YRD_HOST", "YRD_FILING_DECISION_SECONDS"} <= set(variables)
    unexplained = [variable for variable, _, _, meaning in rows if not meaning]
    assert not unexplained, (
        f"describe these settings (a Field description, or MEANINGS in yrd/doc_tables.py): {unexplained}"
    )


def test_rewriting_changes_only_what_lies_between_the_markers() -> None:
    text = "before\n<!-- generated:t -->\nold\nrows\n<!-- /generated:t -->\nafter\n"
    once = doc_tables.render(text, "t", "| new |")
    assert once == "before\n<!-- generated:t -->\n| new |\n<!-- /generated:t -->\nafter\n"
    assert doc_tables.render(once, "t", "| new |") == once
    with pytest.raises(ValueError, match="generated:missing"):
        doc_tables.render(text, "missing", "| new |")


def test_writing_regenerates_a_drifted_table(tmp_path) -> None:
    for path, tables in doc_tables.TABLES.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(f"<!-- generated:{n} -->\nstale\n<!-- /generated:{n} -->\n" for n in tables))
    assert sorted(doc_tables.stale(tmp_path)) == sorted(GENERATED)
    assert sorted(doc_tables.write(tmp_path)) == sorted(doc_tables.TABLES)
    assert doc_tables.stale(tmp_path) == []
