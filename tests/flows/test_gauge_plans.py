"""What /metrics counts at every scrape (Prometheus asks every 5 s) is read from indexes, never from every
row of a table: a scan of the rows grows with the records (100,000 filings: ~210 ms a scrape, against
~12 ms from the filings' counting index). Checked on SQLite's plan for each statement the gauges run;
with no ANALYZE statistics the plan does not depend on how many rows there are."""

from __future__ import annotations

import pytest

from shared.contracts.regions import Domain, Region
from tests.backends import sqlite_only
from tests.flows.plans import reads_every_row


def gauge_statements(zone) -> list[str]:
    """The statements one scrape's gauges run, in Qingpu's instance."""
    runtime = zone.runtime(Region.QINGPU)
    conn = runtime.store.connect()
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        for refresh in runtime.gauges:
            refresh()
    finally:
        conn.set_trace_callback(None)
    return [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]


@sqlite_only("its planner's EXPLAIN QUERY PLAN, and the statements its connection's trace callback sees")
@pytest.mark.parametrize(
    "service",
    [Domain.FILING, Domain.ALERTS, Domain.CORRECTIONS, Domain.NOTARY, Domain.ENFORCEMENT, Domain.PROCURATORATE],
)
def test_a_scrape_reads_indexes_not_every_row(zone_of, service):
    zone = zone_of(service)
    statements = gauge_statements(zone)
    assert statements, "the service registers gauges that read its store"
    conn = zone.runtime(Region.QINGPU).store.connect()
    full_scans = {
        " ".join(sql.split()): step
        for sql in statements
        for step in (row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        if reads_every_row(conn, step)
    }
    assert full_scans == {}
