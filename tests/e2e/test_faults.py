"""The fault suite: instances and the broker killed with -9 while work is under way, on a broker and
instances of this module's own (the shared broker and the other suites are never touched). Each test
asserts that every acknowledged write arrives exactly once, and prints how long recovery took. The kill -9
with group commits in flight and the broker's restart run on SQLite and on PostgreSQL (a database of the
cluster's own); the others on SQLite only, to keep `make test` within its time: what they add is the
consumer's and the relay's restart, which the two on both backends cover for PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from contextlib import ExitStack

import httpx
import pytest

from shared.adapters.kafka.admin import provision
from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.backends import BACKENDS, store_rows
from tests.e2e.filing_data import filing_body
from tests.helpers import eventually
from tests.instances import PORT_BASE, Cluster, token
from tests.integration.private_broker import PrivateBroker
from tests.pg_cluster import own_database

pytestmark = pytest.mark.e2e
J, Q = Region.JIASHAN, Region.QINGPU
F = Domain.FILING
ON_BOTH = pytest.mark.parametrize("faults", BACKENDS, indirect=True)
SQLITE_ONLY = pytest.mark.parametrize("faults", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    """The module's own broker, which the tests kill; each backend's instances have their topics on it."""
    broker = PrivateBroker.create(tmp_path_factory.mktemp("kafka"))
    broker.start()
    try:
        yield broker
    finally:
        if broker.running:
            broker.stop()


@pytest.fixture(scope="module")
def faults(request, broker, tmp_path_factory, keys):
    """Jiashan's and Qingpu's filing instances on `request.param`'s store, in a topic namespace of their own."""
    with ExitStack() as stack:
        env = {"KAFKA_BOOTSTRAP": broker.bootstrap}
        if request.param == "postgresql":
            env["YRD_STORE_URL"] = stack.enter_context(own_database(request.getfixturevalue("pg_dsn"), "faults"))
        prefix = f"faults{'' if request.param == 'sqlite' else 'pg'}."
        provision(broker.kafka, prefix=prefix)
        # Away from the other suites' instances on the same base (28000 for the default 18000).
        cluster = Cluster(prefix, tmp_path_factory.mktemp("fault-instances"), [F], env, port_base=PORT_BASE + 10000)
        for region in (J, Q):
            cluster.start(region, F)
        try:
            cluster.wait_ready()
            yield cluster, broker
        finally:
            cluster.stop_all()


def submit(cluster: Cluster, n: int) -> list[str]:
    clerk = cluster.client(J, F, token(J, Role.WINDOW_CLERK))
    ids = []
    for _ in range(n):
        response = clerk.post("/filings", json=filing_body(court="qingpu"))
        assert response.status_code == 202, response.text  # acknowledged: it must arrive
        ids.append(response.json()["id"])
    return ids


def received_once_at_the_court(cluster: Cluster, ids: list[str], timeout: float = 60) -> float:
    """Wait until the court region has received every filing; assert each exactly once; seconds taken."""
    started = time.monotonic()

    def counts() -> dict[str, int]:
        placeholders = ",".join("?" * len(ids))
        query = (
            "SELECT record_id, count(*) FROM timeline WHERE type = 'received' "
            f"AND record_id IN ({placeholders}) GROUP BY record_id"
        )
        return dict(store_rows(cluster, Q, F, query, ids))

    def all_received() -> dict[str, int] | None:
        found = counts()
        return found if len(found) == len(ids) else None

    found = eventually(all_received, timeout=timeout, what="receipt")
    assert set(found.values()) == {1}, "a filing was received more than once"
    return time.monotonic() - started


@SQLITE_ONLY
def test_kill_9_of_the_consuming_instance_mid_stream(faults):
    cluster, _ = faults
    first = submit(cluster, 5)
    cluster.kill(Q, F)
    during = submit(cluster, 10)  # accepted by Jiashan while the court's instance is dead
    cluster.start(Q, F)
    cluster.wait_ready(only=[(Q, F)])
    ready_at = time.monotonic()
    after = submit(cluster, 1)
    stall = received_once_at_the_court(cluster, after)
    received_once_at_the_court(cluster, first + during)
    print(f"\nconsumer kill -9: events flowed again {time.monotonic() - ready_at:.2f}s after ready ({stall:.2f}s)")
    assert stall < 8  # static membership: no wait for the dead member's 10 s session timeout


@SQLITE_ONLY
def test_kill_9_of_the_producing_instance_right_after_its_acknowledgements(faults):
    cluster, _ = faults
    ids = submit(cluster, 15)
    cluster.kill(J, F)  # some of these are still in Jiashan's outbox
    cluster.start(J, F)
    cluster.wait_ready(only=[(J, F)])
    print(f"\nproducer kill -9: all delivered {received_once_at_the_court(cluster, ids):.2f}s after restart")


@ON_BOTH
def test_broker_kill_9_during_writes(faults):
    cluster, broker = faults
    before = submit(cluster, 3)
    broker.kill()
    killed_at = time.monotonic()
    during = submit(cluster, 10)  # still 202: the outbox keeps them
    time.sleep(max(0.0, 10 - (time.monotonic() - killed_at)))
    broker.start()
    back_at = time.monotonic()
    caught_up = received_once_at_the_court(cluster, before + during, timeout=90)
    print(f"\nbroker kill -9 for {back_at - killed_at:.1f}s: every write received {caught_up:.2f}s after it returned")
    log = (cluster.data_dir / "jiashan-filing.log").read_text()
    assert log.count("kafka unreachable") <= 2 and log.count('"level":"ERROR"') == 0  # said once, not flooded


@SQLITE_ONLY
def test_a_lost_store_is_rebuilt_from_the_topics_with_the_same_answers(faults):
    cluster, _ = faults
    ids = submit(cluster, 4)
    received_once_at_the_court(cluster, ids)
    court = cluster.client(Q, F, token(Q, Role.COURT_OFFICER))
    assert court.post(f"/filings/{ids[0]}/accept").status_code == 200
    assert court.post(f"/filings/{ids[1]}/reject", json={"reason": "不属于本院管辖"}).status_code == 200
    supervisor = cluster.client(Q, F, token(Q, Role.SUPERVISOR))

    def answers() -> dict:
        listed = supervisor.get("/filings", params={"limit": 100}).json()["items"]
        items = {f["id"]: supervisor.get(f"/filings/{f['id']}").json() for f in listed}
        return {"list": listed, "items": items}

    eventually(lambda: not _outbox_backlog(cluster, Q), what="the court's events on the topic")
    before = answers()
    cluster.stop(Q, F)
    store = cluster.db(Q, F)
    for leftover in store.parent.glob(store.name + "*"):
        leftover.unlink()  # the store is gone
    rebuilt = subprocess.run(
        [sys.executable, "-m", "yrd.cli", "rebuild", "filing", "--region", "qingpu"],
        env=cluster.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    print("\n" + rebuilt.stdout)
    cluster.start(Q, F)
    cluster.wait_ready(only=[(Q, F)])
    assert answers() == before
    verify = [
        sys.executable,
        "-m",
        "yrd.cli",
        "audit",
        "verify",
        "--region",
        "qingpu",
        "--service",
        "filing",
    ]
    assert subprocess.run(verify, env=cluster.env(), capture_output=True, text=True).returncode == 0
    accepted = court.post(f"/filings/{ids[2]}/accept").json()["docket_number"]
    first = before["items"][ids[0]]["docket_number"]
    assert accepted != first and int(accepted.split("民初")[1][:-1]) == int(first.split("民初")[1][:-1]) + 1


def _outbox_backlog(cluster: Cluster, region: Region) -> int:
    return store_rows(cluster, region, F, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0]


@ON_BOTH
def test_kill_9_while_group_commits_are_in_flight(faults):
    """Eight clerks submit at once; the instance is killed mid-stream. Every 202 arrives exactly once; what
    was not acknowledged may or may not exist, but never half (a filing without its event, or the reverse)."""
    cluster, _ = faults
    acknowledged: list[str] = []
    stop = threading.Event()

    def clerk() -> None:
        client = cluster.client(J, F, token(J, Role.WINDOW_CLERK))
        while not stop.is_set():
            try:
                response = client.post("/filings", json=filing_body(court="qingpu"))
            except httpx.HTTPError:
                return  # the instance is gone: this request was never acknowledged
            if response.status_code == 202:
                acknowledged.append(response.json()["id"])

    clerks = [threading.Thread(target=clerk) for _ in range(8)]
    for thread in clerks:
        thread.start()
    eventually(lambda: len(acknowledged) >= 40, what="writes under way")
    cluster.kill(J, F)
    stop.set()
    for thread in clerks:
        thread.join(30)
    cluster.start(J, F)
    cluster.wait_ready(only=[(J, F)])
    took = received_once_at_the_court(cluster, acknowledged, timeout=90)
    filings = {r[0] for r in store_rows(cluster, J, F, "SELECT id FROM filings WHERE receiving_region = 'jiashan'")}
    events = {
        r[0] for r in store_rows(cluster, J, F, "SELECT DISTINCT record_id FROM timeline WHERE type = 'submitted'")
    }
    outgoing = {
        bytes(r[0]).decode() for r in store_rows(cluster, J, F, "SELECT key FROM outbox WHERE topic LIKE '%.filing'")
    }
    assert set(acknowledged) <= filings and filings == events and filings <= outgoing  # nothing half-written
    print(f"\nkill -9 during {len(acknowledged)} concurrent writes: all acknowledged received in {took:.2f}s")
