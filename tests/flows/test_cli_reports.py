"""`yrd` reports on real stores of the broker-free tier: `audit verify` and `retention run` as JSON, and
the exit code that tells a script an audit chain is broken (1) from one that is intact (0)."""

from __future__ import annotations

import json

import orjson
from typer.testing import CliRunner

from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.backends import own_connection
from tests.e2e.filing_data import filing_body
from tests.flows.test_corrections_daily import enrolled, officer
from tests.instances import token
from yrd import cli

J = Region.JIASHAN
VERIFY = ["audit", "verify", "--region", "jiashan", "--service", "filing", "--no-against-topic", "--json"]


def point_the_cli_at(zone, monkeypatch) -> None:
    settings = zone.runtime(J).settings
    for name, value in {
        "YRD_DATA_DIR": settings.data_dir,
        "YRD_KEYS_DIR": settings.keys_dir,
        "YRD_TOPIC_PREFIX": settings.topic_prefix,
        "YRD_PORT_BASE": settings.port_base,
    }.items():
        monkeypatch.setenv(name, str(value))
    if settings.store_url:  # the zone's stores are in PostgreSQL
        monkeypatch.setenv("YRD_STORE_URL", settings.store_url)
    else:
        monkeypatch.delenv("YRD_STORE_URL", raising=False)


def test_audit_verify_reports_an_intact_chain_and_exits_1_on_a_broken_one(zone_of, monkeypatch):
    zone = zone_of(Domain.FILING)
    clerk = zone.client(J, token=token(J, Role.WINDOW_CLERK))
    for _ in range(3):
        assert clerk.post("/filings", json=filing_body()).status_code == 202
    point_the_cli_at(zone, monkeypatch)

    intact = CliRunner().invoke(cli.app, VERIFY)
    report = json.loads(intact.stdout)
    assert intact.exit_code == 0 and report["ok"] is True and report["entries"] >= 3, intact.output

    with own_connection(zone.runtime(J).store) as conn:  # one entry's decision rewritten after the fact
        entry = orjson.loads(conn.execute("SELECT entry FROM audit_log WHERE idx = 2").fetchone()[0])
        entry["decision"] = "denied" if entry["decision"] == "allowed" else "allowed"
        conn.execute("UPDATE audit_log SET entry = ? WHERE idx = 2", (orjson.dumps(entry),))
    broken = CliRunner().invoke(cli.app, VERIFY)
    report = json.loads(broken.stdout)
    assert broken.exit_code == 1 and report["ok"] is False and report["first_bad_index"] == 2, broken.output


def test_retention_run_json_names_the_records_purged(zone_of, monkeypatch):
    zone = zone_of(Domain.CORRECTIONS)
    subject_id = enrolled(zone, "295")
    assert officer(zone, J).post(f"/subjects/{subject_id}/release").status_code == 200
    point_the_cli_at(zone, monkeypatch)

    ran = CliRunner().invoke(cli.app, ["retention", "run", "--region", "jiashan", "--days", "0", "--json"])
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout) == {"region": "jiashan", "retention_days": 0, "purged": [subject_id]}
