"""`yrd backup` of a serving instance and `yrd restore` of it, against the real broker: what the instance
did after its backup comes back from the topics, its audit chain verifies against the audit topic, its
docket numbers go on from the highest given out, and its consumer goes on where it was."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg import sql

from shared.adapters import audit
from shared.adapters.kafka.producer import make_producer
from shared.adapters.pg.store import PgStore
from shared.adapters.tokens import init_dev_keys
from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.backends import BACKENDS, store_rows
from tests.conftest import own_namespace
from tests.e2e.filing_data import filing_body
from tests.helpers import eventually
from tests.instances import KEYS, PORT_BASE, Cluster, serving, token
from tests.pg_cluster import own_database
from yrd.backup import Manifest, backup_postgresql
from yrd.restore import catch_up_audit, committed_offsets, put_back_postgresql, replay_range

J, Q = Region.JIASHAN, Region.QINGPU
F = Domain.FILING


@pytest.fixture(scope="module", params=BACKENDS)
def cluster(request, kafka, tmp_path_factory):
    """Jiashan's and Qingpu's filing instances, their stores in SQLite files or in the tests' PostgreSQL."""
    init_dev_keys(KEYS)
    env = {}
    with ExitStack() as owned:
        if request.param == "postgresql":  # a database of its own: the instances' schemas start empty
            env["YRD_STORE_URL"] = owned.enter_context(own_database(request.getfixturevalue("pg_dsn"), "backup"))
        prefix = owned.enter_context(own_namespace(kafka))
        folder = tmp_path_factory.mktemp("backup-instances")
        # Ports of its own: the session's filing cluster holds the suite's base.
        yield from serving(Cluster(prefix, folder, [F], env, port_base=PORT_BASE + 3000), (J, Q))


def court_count(cluster: Cluster, query: str, params: list[str]) -> int:
    """One count from the court's store, wherever it is."""
    return store_rows(cluster, Q, F, query, params)[0][0]


def yrd(cluster: Cluster, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "yrd.cli", *args, "--region", "qingpu"]
    return subprocess.run(command, env=cluster.env(), capture_output=True, text=True, timeout=180)


def submit(cluster: Cluster, n: int) -> list[str]:
    clerk = cluster.client(J, F, token(J, Role.WINDOW_CLERK))
    ids = []
    for _ in range(n):
        response = clerk.post("/filings", json=filing_body(court="qingpu"))
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    return ids


def settled(cluster: Cluster, ids: list[str]) -> None:
    """The court has received every filing, and its own events have all left its outbox."""

    def done() -> bool:
        marks = ",".join("?" * len(ids))
        received = court_count(
            cluster,
            f"SELECT count(DISTINCT record_id) FROM timeline WHERE type = 'received' AND record_id IN ({marks})",
            ids,
        )
        return (
            received == len(ids) and court_count(cluster, "SELECT count(*) FROM outbox WHERE sent_at IS NULL", []) == 0
        )

    eventually(done, timeout=60, what="the court caught up and its outbox empty")


def docket(number: str) -> int:
    return int(number.split("民初")[1][:-1])


def test_a_restored_store_catches_up_from_the_topics_and_its_chain_verifies(cluster, kafka, tmp_path):
    court = cluster.client(Q, F, token(Q, Role.COURT_OFFICER))
    supervisor = cluster.client(Q, F, token(Q, Role.SUPERVISOR))

    def answers() -> dict:
        listed = supervisor.get("/filings", params={"limit": 100}).json()["items"]
        return {f["id"]: supervisor.get(f"/filings/{f['id']}").json() for f in listed}

    before_backup = submit(cluster, 3)
    settled(cluster, before_backup)
    first = court.post(f"/filings/{before_backup[0]}/accept").json()["docket_number"]

    # The group commits once its stream pauses: wait for it, so the manifest records where the group stood.
    topics = [f"{cluster.prefix}{region.value}.filing" for region in Region]
    eventually(lambda: committed_offsets(kafka, f"{cluster.prefix}yrd.filing.qingpu", topics), what="a commit")
    target = tmp_path / "qingpu-filing.sqlite3"
    taken = yrd(cluster, "backup", "--service", "filing", "--to", str(target), "--json")  # while it serves
    assert taken.returncode == 0, taken.stderr
    manifest = json.loads(taken.stdout)
    backend = "postgresql" if "YRD_STORE_URL" in cluster.extra_env else "sqlite"
    assert manifest["backend"] == backend and manifest["audit_entries"] > 0
    assert manifest["committed_offsets"]  # the group's position at the backup, from where a restore replays

    after_backup = submit(cluster, 3)  # what the backup does not have: received, and two dockets given
    settled(cluster, after_backup)
    second = court.post(f"/filings/{after_backup[0]}/accept").json()["docket_number"]
    third = court.post(f"/filings/{after_backup[1]}/accept").json()["docket_number"]
    assert docket(third) == docket(second) + 1 == docket(first) + 2
    assert court.post(f"/filings/{before_backup[1]}/reject", json={"reason": "不属于本院管辖"}).status_code == 200
    settled(cluster, after_backup)
    expected = answers()

    refused = yrd(cluster, "restore", "--service", "filing", "--from", str(target), "--json")
    assert refused.returncode == 2 and "stop it first" in json.loads(refused.stdout)["error"]

    with cluster.stopped(Q, F):
        restored = yrd(cluster, "restore", "--service", "filing", "--from", str(target), "--json")
        assert restored.returncode == 0, restored.stderr
        report = json.loads(restored.stdout)
        assert report["audit_ok"] and report["audit_tail"] > 0  # the entries after the backup, from the topic
        assert report["applied"].get("jiashan", 0) >= 3 and report["applied"].get("qingpu", 0) >= 3
        verified = yrd(cluster, "audit", "verify", "--service", "filing", "--json")
        assert verified.returncode == 0 and json.loads(verified.stdout)["ok"], verified.stdout + verified.stderr
    assert answers() == expected  # the three filings after the backup, two accepted, one rejected
    fourth = court.post(f"/filings/{after_backup[2]}/accept").json()["docket_number"]
    assert docket(fourth) == docket(third) + 1  # no number given twice
    later = submit(cluster, 2)  # the consumer goes on from where the group was
    settled(cluster, later)
    assert set(later) <= set(answers())
    assert yrd(cluster, "audit", "verify", "--service", "filing").returncode == 0


def test_a_lost_store_is_rebuilt_from_the_topics_on_either_backend(cluster):
    supervisor = cluster.client(Q, F, token(Q, Role.SUPERVISOR))
    settled(cluster, submit(cluster, 2))

    def answers() -> dict:
        listed = supervisor.get("/filings", params={"limit": 100}).json()["items"]
        return {f["id"]: {k: v for k, v in f.items() if k != "parties"} for f in listed}

    expected = answers()
    with cluster.stopped(Q, F):
        rebuilt = yrd(cluster, "rebuild", "filing", "--json")
        assert rebuilt.returncode == 0, rebuilt.stderr
        report = json.loads(rebuilt.stdout)
        assert report["moved_aside"] and report["sequences"] >= 1  # the old store kept aside, dockets continued
    assert answers() == expected
    assert yrd(cluster, "audit", "verify", "--service", "filing").returncode == 0


def _audit(conn, i: int) -> None:
    audit.append(
        conn,
        actor=f"clerk-{i}",
        region="qingpu",
        roles=["window_clerk"],
        action="filing.submit",
        record=f"f-{i}",
        decision="allowed",
        correlation_id="c",
    )


@pytest.mark.postgres
def test_a_postgresql_schema_backed_up_while_written_restores_whole_and_catches_up_its_chain(
    pg_schema, pg_dsn, tmp_path
):
    store = PgStore(pg_dsn, pg_schema.name)  # the shared tables, as every instance's schema has them
    with store.transaction() as conn:
        for i in range(50):
            _audit(conn, i)
    stop, written = threading.Event(), []

    def writer() -> None:  # the instance serving meanwhile
        i = 1000
        while not stop.is_set():
            with store.transaction() as conn:
                _audit(conn, i)
            written.append(i)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        eventually(lambda: len(written) >= 20, what="writes under way")
        target = tmp_path / "qingpu-filing.dump"
        migrations, entries, head = backup_postgresql(pg_dsn, pg_schema.name, target)
        eventually(lambda: len(written) >= 40, what="writes after the backup")
    finally:
        stop.set()
        thread.join()
    with store.read() as conn:
        published = [audit.load(row) for row in conn.execute("SELECT idx, entry FROM audit_log ORDER BY idx")]
    store.close()
    assert "shared-002-audit" in migrations and 70 <= entries < len(published)
    assert head == published[entries - 1].hash  # the dump and the facts are one snapshot

    kept = put_back_postgresql(target, pg_dsn, pg_schema.name)
    try:
        restored = PgStore(pg_dsn, pg_schema.name)
        with restored.transaction() as conn:
            assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == entries
            assert audit.verify(conn).ok
            # What was published after the backup comes back onto the restored chain.
            assert catch_up_audit(conn, published) == len(published) - entries
        with restored.read() as conn:
            report = audit.verify(conn, {entry.index: entry.hash for entry in published})
        restored.close()
        assert (report.ok, report.entries) == (True, len(published))
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(kept)))


def test_the_replay_starts_where_the_backup_stands_by_its_recorded_offsets_or_by_its_time(kafka, scratch_prefix):
    name = f"{scratch_prefix}qingpu.filing"
    producer = make_producer(kafka)
    sent = [producer.send(name, key=b"one-partition", value=f"r{i}".encode()).get(timeout=15) for i in range(6)]
    producer.close()
    partition = sent[0].partition
    key = f"{name}:{partition}"
    ends = {key: sent[-1].offset + 1}
    first = sent[0].offset

    def replayed(taken_at: datetime, committed: dict[str, int] | None) -> list[int]:
        manifest = Manifest(
            region="qingpu",
            service="filing",
            backend="sqlite",
            taken_at=taken_at,
            file_sha256="",
            migrations=[],
            audit_entries=0,
            audit_head_hash=None,
            group_id="g",
            committed_offsets=committed,
        )
        offsets = [r.offset for batch in replay_range(kafka, manifest, [name], ends) for r in batch]
        return [offset for offset in offsets if offset >= first]  # what this test sent

    now, later = datetime.now(UTC), datetime.now(UTC) + timedelta(hours=1)
    everything = [r.offset for r in sent]
    assert replayed(now, None) == everything  # by time: from ten minutes before the backup
    assert replayed(later, {key: first + 4}) == everything[4:]  # by the offsets recorded at the backup
    assert replayed(now, {key: first + 4}) == everything  # the earlier of the two
    assert replayed(later, None) == []  # nothing at or after that time, none recorded: nothing to replay
