"""Two processes per instance on PostgreSQL (`yrd serve ... --processes 2`): Jiashan's filing and Qingpu's, the
court, each served by two workers. Both answer; their consumers share the group's partitions; concurrent
accepts through both give gapless, unique docket numbers; each event is on the topic once; the scanners
run in one process, and another takes over when it is killed."""

from __future__ import annotations

import json
import os
import re
import signal
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from shared.contracts.regions import Domain, Region
from shared.contracts.topics import topic
from shared.rules.policy import Role
from tests.conftest import own_namespace
from tests.e2e.filing_data import filing_body
from tests.helpers import eventually
from tests.instances import PORT_BASE, Cluster, serving, token
from tests.pg_cluster import own_database

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
J, Q = Region.JIASHAN, Region.QINGPU
F = Domain.FILING
FILINGS = 40


@pytest.fixture(scope="module")
def database(pg_dsn):
    """A database of this module's own: the instances' schemas (`{region}_{service}`) start empty."""
    with own_database(pg_dsn, "processes") as url:
        yield url


@pytest.fixture(scope="module")
def two_processes(kafka, tmp_path_factory, keys, database):
    env = {"YRD_STORE_URL": database, "YRD_PROCESSES": "2", "YRD_FILING_DECISION_SECONDS": "6"}
    # Topics of its own: on the session's, these instances and the session's filing cluster would be two
    # Qingpu courts numbering dockets on one topic, each a 民初1号 of its own, and a docket's search at
    # Jiashan would find two cases. Ports of its own: the session's filing cluster holds the suite's base
    # (a worker would share it by SO_REUSEPORT).
    with own_namespace(kafka) as prefix:
        folder = tmp_path_factory.mktemp("processes")
        yield from serving(Cluster(prefix, folder, [F], env, port_base=PORT_BASE + 4000), (J, Q), timeout=90)


def clerk(cluster, region):
    return cluster.client(region, F, token(region, Role.WINDOW_CLERK))


def officer(cluster, region):
    return cluster.client(region, F, token(region, Role.COURT_OFFICER))


def answering(cluster, region) -> set[str]:
    """The processes that answered 40 fresh connections' /healthz."""
    return {httpx.get(cluster.url(region, F) + "/healthz", timeout=5).json()["process"] for _ in range(40)}


def leaders(cluster, region) -> list[int]:
    """The pids that took the scanners' lead, in the order they did (from the instance's log)."""
    lines = (cluster.data_dir / f"{region.value}-{F.value}.log").read_text().splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{") and '"leading"' in line]
    return [entry["pid"] for entry in entries if entry.get("duty") == "scanners"]


def on_topic(kafka, name: str) -> list:
    consumer = KafkaConsumer(**kafka.config(), enable_auto_commit=False)
    try:
        partitions = [TopicPartition(name, p) for p in consumer.partitions_for_topic(name) or []]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        records: list = []
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


def test_both_processes_answer_and_share_the_group(two_processes, kafka):
    for region in (J, Q):
        assert len(answering(two_processes, region)) == 2
    group = f"{two_processes.prefix}yrd.filing.qingpu"
    admin = KafkaAdminClient(**kafka.config())
    try:
        seen = []

        def members():
            described = admin.describe_groups([group])[group]
            seen.append((described["group_state"], len(described["members"])))
            return described["group_state"] == "Stable" and len(described["members"]) == 2

        try:
            eventually(members, timeout=60, what="both processes in the group")
        except AssertionError:
            raise AssertionError(f"{seen[:3]} ... {seen[-3:]}") from None
    finally:
        admin.close()
    # A filing received at Jiashan reaches the court through either process's relay and consumer, and the
    # court reads its parties from Jiashan's peer listener (mutual TLS), whichever process holds it.
    filing_id = clerk(two_processes, J).post("/filings", json=filing_body(court="qingpu")).json()["id"]
    eventually(
        lambda: officer(two_processes, Q).get(f"/filings/{filing_id}").json().get("status") == "received",
        timeout=20,
        what="the filing at the court",
    )
    for _ in range(4):
        with officer(two_processes, Q) as court:
            detail = court.get(f"/filings/{filing_id}/parties", headers={"x-purpose": "case-review"})
            assert detail.status_code == 200, detail.text
            assert detail.json()["parties"][0]["name"] == "张三"


def test_concurrent_accepts_through_both_processes_are_gapless_and_published_once(two_processes, kafka):
    court_clerk = clerk(two_processes, Q)
    ids = [court_clerk.post("/filings", json=filing_body(court="qingpu")).json()["id"] for _ in range(FILINGS)]

    def accept(filing_id: str) -> str:
        with officer(two_processes, Q) as client:  # a connection of its own: the kernel picks the process
            answer = client.post(f"/filings/{filing_id}/accept")
            assert answer.status_code == 200, answer.text
            return answer.json()["docket_number"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        numbers = list(pool.map(accept, ids))
    sequences = sorted(int(re.search(r"民初(\d+)号", number).group(1)) for number in numbers)
    assert sequences == list(range(1, FILINGS + 1))

    def accepted_events():
        mine = set(ids)  # the module's first test filed one more
        records = [r for r in on_topic(kafka, topic(Q, F, two_processes.prefix)) if r.key.decode() in mine]
        headers = [dict(record.headers) for record in records]
        accepted = [h for h in headers if h["ce_type"].decode().endswith("filing.accepted.v1")]
        return headers if len(accepted) >= FILINGS else None

    headers = eventually(accepted_events, timeout=30, what="every acceptance on the topic")
    event_ids = [h["ce_id"] for h in headers]
    assert len(event_ids) == len(set(event_ids))  # each event once, though two relays run
    accepted = [h for h in headers if h["ce_type"].decode().endswith("filing.accepted.v1")]
    assert len(accepted) == FILINGS

    # Whichever process answers a scrape, it counts the instance's accepts: both processes' together.
    operator = {"authorization": f"Bearer {token(Q, Role.OPERATOR)}"}
    for _ in range(6):
        scraped = httpx.get(two_processes.url(Q, F) + "/metrics", headers=operator, timeout=10).text
        accepts = [
            float(line.rsplit(" ", 1)[1])
            for line in scraped.splitlines()
            if line.startswith("yrd_http_requests_total{") and '/accept"' in line and 'status="200"' in line
        ]
        assert sum(accepts) == FILINGS
        assert 'yrd_ready{check="store",region="qingpu",service="filing"} 1.0' in scraped


def test_scanners_run_in_one_process_and_another_takes_over(two_processes):
    first = eventually(lambda: leaders(two_processes, Q), timeout=20, what="a scanners' leader")
    assert len(first) == 1
    os.kill(first[0], signal.SIGKILL)
    taken = eventually(lambda: len(leaders(two_processes, Q)) > 1 and leaders(two_processes, Q), timeout=30)
    assert len(taken) == 2 and taken[1] != first[0]
    # The supervisor started a worker in the killed one's place: two processes answer again.
    eventually(lambda: len(answering(two_processes, Q)) == 2, timeout=60, what="the replacement worker")
    # The new leader decides deadlines: a filing left undecided is flagged overdue, once.
    filing_id = clerk(two_processes, Q).post("/filings", json=filing_body(court="qingpu")).json()["id"]

    def overdue():
        timeline = officer(two_processes, Q).get(f"/filings/{filing_id}").json().get("timeline", [])
        flags = [entry for entry in timeline if entry["type"] == "decision-overdue"]
        return flags or None

    assert len(eventually(overdue, timeout=40, what="the overdue flag")) == 1
    assert leaders(two_processes, Q) == taken  # nobody else took the lead meanwhile
