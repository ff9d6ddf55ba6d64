"""`yrd backup` of a SQLite store: a consistent copy while writes go on, its manifest, and putting it back."""

import json
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from shared.adapters import audit
from shared.adapters.store import Store
from shared.contracts.regions import Domain, Region
from shared.core.settings import Settings
from yrd import backup, cli
from yrd.backup_cli import running
from yrd.restore import catch_up_audit, check_fits, put_back_sqlite

runner = CliRunner()


def _append(conn, i: int) -> None:
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


@pytest.fixture
def settings(tmp_path):
    return Settings(region=Region.QINGPU, service=Domain.FILING, data_dir=tmp_path / "var")


def test_a_backup_taken_while_a_writer_appends_is_consistent_and_its_chain_verifies(settings, tmp_path):
    store = Store(settings.db_path)
    with store.transaction() as conn:
        for i in range(200):
            _append(conn, i)
    stop, written = threading.Event(), []

    def writer() -> None:  # the instance serving: one audit entry and one outbox row per transaction
        i = 1000
        while not stop.is_set():
            with store.transaction() as conn:
                _append(conn, i)
                conn.execute(
                    "INSERT INTO outbox(event_id, topic, key, value, headers) VALUES (?, 't', x'', x'', x'')",
                    (f"e-{i}",),
                )
            written.append(i)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 50:
            threading.Event().wait(0.01)
        target = tmp_path / "backups" / "qingpu-filing.sqlite3"
        manifest = backup.take(settings, target, {"qingpu.filing:0": 7})
        during = len(written)
        while len(written) <= during:  # the writer goes on after the copy, unblocked by it
            threading.Event().wait(0.01)
    finally:
        stop.set()
        thread.join()
    with closing(sqlite3.connect(target)) as copy:
        copy.row_factory = sqlite3.Row
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        report = audit.verify(copy)
        outbox_rows = copy.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert report.ok
    # One snapshot: every transaction in the copy is whole (an audit entry for each outbox row, 200 before).
    assert report.entries == 200 + outbox_rows
    assert 200 + 50 <= report.entries < 200 + len(written)
    assert (manifest.audit_entries, manifest.committed_offsets) == (report.entries, {"qingpu.filing:0": 7})
    assert not (target.parent / f"{target.name}-wal").exists()  # one self-contained file


def test_the_manifest_says_what_the_file_is_and_is_read_back(settings, tmp_path):
    store = Store(settings.db_path)
    with store.transaction() as conn:
        for i in range(3):
            _append(conn, i)
        head = conn.execute("SELECT hash FROM audit_log WHERE idx = 3").fetchone()[0]
    before = datetime.now(UTC)
    target = tmp_path / "b.sqlite3"
    backup.take(settings, target, None)
    manifest = backup.read_manifest(target)
    assert (manifest.region, manifest.service, manifest.backend) == ("qingpu", "filing", "sqlite")
    assert (manifest.audit_entries, manifest.audit_head_hash) == (3, head)
    assert manifest.group_id == "yrd.filing.qingpu"
    assert before <= manifest.taken_at <= datetime.now(UTC)
    assert "shared-002-audit" in manifest.migrations
    assert manifest.file_sha256 == backup.sha256_of(target)
    check_fits(settings, manifest)  # this instance, and this code knows every migration


def test_a_manifest_that_does_not_fit_is_refused(settings, tmp_path):
    Store(settings.db_path)
    target = tmp_path / "b.sqlite3"
    backup.take(settings, target, None)
    manifest = backup.read_manifest(target)
    with pytest.raises(backup.BackupError, match="of qingpu filing, not this instance"):
        check_fits(settings.model_copy(update={"region": Region.JIASHAN}), manifest)
    with pytest.raises(backup.BackupError, match="does not know"):
        check_fits(settings, manifest.model_copy(update={"migrations": [*manifest.migrations, "filing-999-x"]}))
    with target.open("ab") as stream:  # the file changed after its manifest was written
        stream.write(b"\0")
    with pytest.raises(backup.BackupError, match="checksum differs"):
        backup.read_manifest(target)
    (tmp_path / "b.sqlite3.manifest.json").unlink()
    with pytest.raises(backup.BackupError, match="no manifest"):
        backup.read_manifest(target)


def test_putting_a_backup_back_replaces_the_file_and_keeps_the_old_one_whole(settings, tmp_path):
    store = Store(settings.db_path)
    with store.transaction() as conn:
        _append(conn, 1)
    target = tmp_path / "b.sqlite3"
    backup.take(settings, target, None)
    with store.transaction() as conn:  # after the backup; the store is left open, its WAL beside it
        _append(conn, 2)
    store.close()
    moved = put_back_sqlite(target, settings.db_path)
    assert not (settings.db_path.parent / f"{settings.db_path.name}-wal").exists()
    with closing(sqlite3.connect(settings.db_path)) as restored:
        assert restored.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1
    with closing(sqlite3.connect(moved)) as kept:
        assert kept.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 2


def test_a_corrupt_backup_is_refused_and_the_store_left_as_it_was(settings, tmp_path):
    store = Store(settings.db_path)
    with store.transaction() as conn:
        _append(conn, 1)
    store.close()
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\0" + b"\x07" * 8192)
    with pytest.raises(backup.BackupError, match="no sound SQLite database"):
        put_back_sqlite(bad, settings.db_path)
    with closing(sqlite3.connect(settings.db_path)) as same:
        assert same.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1
    assert not list(settings.db_path.parent.glob(".*restoring"))


def test_the_audit_tail_published_after_the_backup_is_appended_and_counted_published(settings):
    store = Store(settings.db_path)
    with store.transaction() as conn:
        for i in range(5):
            _append(conn, i)
        entries = [audit.load(row) for row in conn.execute("SELECT idx, entry FROM audit_log ORDER BY idx")]
    backup_copy = Store(settings.db_path.with_name("copy.sqlite3"))
    with backup_copy.transaction() as conn:  # the backup had 3 entries, 2 of them published then
        for entry in entries[:3]:
            audit.restore(conn, entry)
        conn.execute("UPDATE audit_published SET idx = 2")
        assert catch_up_audit(conn, entries) == 2
        assert conn.execute("SELECT idx FROM audit_published").fetchone()[0] == 5
        report = audit.verify(conn, {entry.index: entry.hash for entry in entries})
    assert (report.ok, report.entries) == (True, 5)
    with backup_copy.transaction() as conn:  # an entry the backup has but the topic never got stays unpublished
        _append(conn, 99)
        conn.execute("UPDATE audit_published SET idx = 5")
        assert catch_up_audit(conn, entries) == 0
        assert conn.execute("SELECT idx FROM audit_published").fetchone()[0] == 5


@pytest.fixture
def instance_env(tmp_path, monkeypatch):
    """The CLI's instance: its store in tmp_path, on a port base nothing listens on."""
    monkeypatch.setenv("YRD_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("YRD_PORT_BASE", "25900")
    return Settings(region=Region.QINGPU, service=Domain.FILING, data_dir=tmp_path / "var", port_base=25900)


def test_backup_without_a_store_and_restore_without_a_file_are_preconditions_exit_2(instance_env, tmp_path):
    args = ["--region", "qingpu", "--service", "filing", "--json"]
    taken = runner.invoke(cli.app, ["backup", *args, "--to", str(tmp_path / "b.sqlite3")])
    assert taken.exit_code == 2 and "no store at" in json.loads(taken.stdout)["error"]
    restored = runner.invoke(cli.app, ["restore", *args, "--from", str(tmp_path / "none.sqlite3")])
    assert restored.exit_code == 2 and "no backup at" in json.loads(restored.stdout)["error"]


def test_restore_is_refused_while_a_process_holds_the_store_open(instance_env, tmp_path):
    Store(instance_env.db_path).close()
    backup.take(instance_env, tmp_path / "b.sqlite3", None)
    assert running(instance_env) == ""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time; sqlite3.connect(sys.argv[1]); print(1, flush=True); "
         "time.sleep(60)", str(instance_env.db_path)],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        holder.stdout.readline()  # the store is open
        assert f"pid {holder.pid}" in running(instance_env)
        args = ["--region", "qingpu", "--service", "filing", "--from", str(tmp_path / "b.sqlite3"), "--json"]
        refused = runner.invoke(cli.app, ["restore", *args])
        assert refused.exit_code == 2 and "stop it first" in json.loads(refused.stdout)["error"]
    finally:
        holder.kill()
        holder.wait()
