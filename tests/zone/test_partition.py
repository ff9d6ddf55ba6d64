"""Partition and heal: Qingpu is cut off from the other regions for over a minute while all three keep
working; after the links heal, every acknowledged event reaches every region once and the read models of
the three regions agree. A broker killed with -9 and restarted loses nothing either. Each test prints how
long the zone took to converge."""

from __future__ import annotations

import time

import httpx
import pytest
from kafka.errors import KafkaError, TopicAuthorizationFailedError
from prometheus_client.parser import text_string_to_metric_families

from shared.adapters.kafka.access import KafkaAccess
from shared.contracts.regions import Domain, Region, others
from shared.contracts.topics import topic
from shared.rules.broker_access import mirror_principal
from tests.helpers import eventually
from tests.integration.test_broker_acls import read, write
from tests.zone.workload import Workload, converged, copies, disagreements, strays, unapplied
from yrd.zone.links import Action, switch

# Minutes, not seconds: a partition of over a minute, then convergence (the suite's 180 s is for one request's worth).
pytestmark = [pytest.mark.zone, pytest.mark.timeout(600)]
J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG
PARTITION_SECONDS = 65


def _converge(cluster, started: float, what: str) -> float:
    def done() -> bool:
        assert converged(cluster), f"unapplied {unapplied(cluster)}; disagree on {disagreements(cluster)}"
        return True

    eventually(done, timeout=180, interval=1, what=what)
    return time.monotonic() - started


def _exactly_once_on_every_cluster(processes) -> None:
    """Each cluster holds each region's events exactly once: the owner's topic and every copy alike."""
    held = copies({r: processes.broker(r).kafka for r in Region})
    for name, ids in held.items():
        repeated = {event: n for event, n in ids.items() if n > 1}
        assert not repeated, f"{name}: {len(repeated)} events more than once"
    for owner_topic in {name.split("@")[0] for name in held}:
        versions = {frozenset(ids) for name, ids in held.items() if name.startswith(owner_topic + "@")}
        assert len(versions) == 1, f"{owner_topic}: the clusters hold different events"
    for region in Region:
        assert not strays(processes.broker(region).kafka), f"{region}: topics nobody declared"


def test_qingpu_cut_off_keeps_working_and_the_zone_converges_after_healing(zone, capsys):
    processes, cluster = zone
    work = Workload(cluster)
    work.round()
    eventually(lambda: converged(cluster), timeout=90, interval=0.5, what="the zone to agree before the cut")

    switch(processes.layout, Q, Action.CUT)
    before_cut = set(work.filings)
    cut_at = time.monotonic()
    rounds = 0
    while time.monotonic() - cut_at < PARTITION_SECONDS:
        work.round()  # every write in every region is acknowledged, Qingpu's included
        rounds += 1

    def taken_at(window: Region) -> set[str]:
        return {f for f, (w, _) in work.filings.items() if w == window and f not in before_cut}

    # The partition is real: Jiashan and Wujiang still see each other's new filings, neither sees Qingpu's,
    # and Qingpu sees none of theirs.
    eventually(lambda: work.held_by(J, W) >= taken_at(W), timeout=30, what="Wujiang's new filings at Jiashan")
    assert len(taken_at(Q)) == rounds
    assert not work.held_by(J, Q) & taken_at(Q) and not work.held_by(W, Q) & taken_at(Q)
    assert not work.held_by(Q, J) & taken_at(J) and not work.held_by(Q, W) & taken_at(W)

    switch(processes.layout, Q, Action.HEAL)
    seconds = _converge(cluster, time.monotonic(), "the zone to converge after healing")
    work.round()  # decisions and acknowledgements that waited for the partition to end
    _converge(cluster, time.monotonic(), "the zone to converge after the waiting decisions")
    _exactly_once_on_every_cluster(processes)
    with capsys.disabled():  # the figure is the point: shown in every run, not only a failing one
        print(
            f"\npartition: {PARTITION_SECONDS} s, {rounds} rounds, {len(work.filings)} filings and "
            f"{len(work.alerts)} alerts acknowledged; converged {seconds:.1f} s after healing"
        )


def _flows_reporting(processes, region: Region) -> list:
    """What the region's MirrorMaker exports, once each flow into the region reports its copies."""
    text = httpx.get(f"http://127.0.0.1:{processes.layout.mirror_metrics_port(region)}/metrics").text
    samples = list(text_string_to_metric_families(text))
    flows = {
        (s.labels["source"], s.labels["target"])
        for family in samples
        if family.name == "kafka_connect_mirror_mirrorsourceconnector_record_count"
        for s in family.samples
    }
    assert flows == {(source.value, region.value) for source in others(region)}, f"{region}: {sorted(flows)}"
    return samples


def test_each_mirrormaker_exports_its_flows_lag_and_latency(zone):
    """What Prometheus scrapes from each region's MirrorMaker (deploy/mirror/jmx-exporter.yml): per flow into
    the region, records copied, the copy latency and the source consumer's lag. A flow's task registers its
    metrics when it starts, so a task restarting shows none for a moment: the test writes in every region
    and waits for every flow to report, as the next scrape would."""
    processes, cluster = zone
    Workload(cluster).round()
    for region in Region:
        samples = eventually(
            lambda region=region: _flows_reporting(processes, region), timeout=90, interval=1, what="every flow"
        )
        names = {family.name for family in samples}
        assert {"kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_max"} <= names
        assert {"kafka_connect_mirror_consumer_records_lag", "kafka_connect_connector_tasks"} <= names


def test_a_mirrormaker_may_copy_the_other_regions_in_and_nothing_else(zone):
    """Jiashan's MirrorMaker principal (its ACLs alone carry the flows the other tests watch) reads
    Qingpu's topics on Qingpu's cluster, not the copies held there, and writes no region's own topics:
    not Jiashan's at home, not Qingpu's at Qingpu."""
    processes, _ = zone
    mirror = mirror_principal(J)
    at_jiashan, at_qingpu = (KafkaAccess.of(processes.layout.bootstrap(r), principal=mirror) for r in (J, Q))
    read(at_qingpu, topic(Q, Domain.FILING))
    for cluster, owner in ((at_jiashan, J), (at_qingpu, Q)):
        # At Qingpu it may write nothing at all, so its idempotent producer is refused an id first.
        with pytest.raises(KafkaError, match=r"(Topic|Cluster)AuthorizationFailed"):
            write(cluster, topic(owner, Domain.FILING))
    with pytest.raises(TopicAuthorizationFailedError):
        read(at_qingpu, topic(W, Domain.FILING))  # Wujiang's copies at Qingpu: Jiashan reads them at Wujiang


def test_a_regions_broker_killed_and_restarted_loses_nothing(zone, capsys):
    processes, cluster = zone
    work = Workload(cluster)
    broker = processes.broker(W)
    broker.kill()
    killed_at = time.monotonic()
    while time.monotonic() - killed_at < 20:
        work.round()  # Wujiang's instances keep taking writes into their outboxes, the others as usual
    broker.start()
    seconds = _converge(cluster, time.monotonic(), "the zone to converge after Wujiang's broker restarted")
    work.round()
    _converge(cluster, time.monotonic(), "the zone to converge after the waiting decisions")
    _exactly_once_on_every_cluster(processes)
    with capsys.disabled():
        print(f"\nbroker kill -9: {len(work.filings)} filings acknowledged; converged {seconds:.1f} s after restart")
