"""Typed rows held to their tables: each service declares the TypedDict of every table whose rows it passes
around, and the row type's keys are that table's columns (the stored `listed` JSON aside: it is what a
list sends, never a field of a row). A column added by a migration without its row type, or a key the table
does not have, fails here."""

from __future__ import annotations

import typing

import pytest

from shared.adapters.store import Store
from yrd.registry import SERVICES

DECLARED = [(service.domain.value, table, row) for service in SERVICES.values() for table, row in service.rows.items()]
NOT_IN_ROWS = {"listed"}


def test_every_service_declares_its_rows():
    assert {service.domain.value for service in SERVICES.values() if not service.rows} == set()


@pytest.mark.parametrize(("domain", "table", "row"), DECLARED, ids=[f"{d}.{t}" for d, t, _ in DECLARED])
def test_a_row_type_has_its_tables_columns(domain, table, row):
    service = next(s for s in SERVICES.values() if s.domain.value == domain)
    store = Store(":memory:", service.migrations)
    columns = {r["name"] for r in store.connect().execute(f"PRAGMA table_info({table})")}
    assert columns, f"{table} is no table of {domain}"
    assert typing.is_typeddict(row)
    assert set(typing.get_type_hints(row)) == columns - NOT_IN_ROWS
