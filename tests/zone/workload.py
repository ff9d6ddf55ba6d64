"""What the zone tests do in every region while links are cut or a broker is down, and how they tell that
the regions have converged: every event a region published is applied in every other region, once, and
their read models agree."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import cycle

from kafka import KafkaAdminClient

from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.replay import read_to_end
from shared.contracts.regions import Domain, Region, others
from shared.contracts.topics import catalogue, topic
from shared.rules.policy import Role
from tests.backends import store_rows
from tests.e2e.alert_data import alert_body
from tests.e2e.filing_data import filing_body
from tests.instances import Cluster, token

F, A = Domain.FILING, Domain.ALERTS
SERVICES = (F, A)
# The read models compared across regions, per service (timeline: every region's view of each record's history).
READ_MODELS = {
    F: ["SELECT * FROM filings ORDER BY id", "SELECT event_id, record_id, type, at, region FROM timeline ORDER BY 1"],
    A: [
        "SELECT * FROM alerts ORDER BY id",
        "SELECT * FROM alert_acks ORDER BY alert_id, region",
        "SELECT event_id, record_id, type, at, region FROM timeline ORDER BY 1",
    ],
}


@dataclass
class Workload:
    """Windows file cases for every court, courts decide what has reached them, police raise alerts and
    acknowledge the ones addressed to them: the daily traffic of the zone, in every region at once."""

    cluster: Cluster
    filings: dict[str, tuple[Region, Region]] = field(default_factory=dict)  # id: (window, court)
    alerts: dict[str, Region] = field(default_factory=dict)  # id: raised by
    undecided: dict[Region, set[str]] = field(default_factory=dict)
    unacknowledged: dict[Region, set[str]] = field(default_factory=dict)
    _courts: cycle = field(default_factory=lambda: cycle(Region))

    def round(self, regions: list[Region] | None = None) -> None:
        for region in regions or list(Region):
            self._file(region, next(self._courts))
            self._raise(region)
            self._decide(region)
            self._acknowledge(region)

    def _client(self, region: Region, service: Domain, role: Role):
        return self.cluster.client(region, service, token(region, role))

    def _file(self, window: Region, court: Region) -> None:
        with self._client(window, F, Role.WINDOW_CLERK) as clerk:
            answer = clerk.post("/filings", json=filing_body(court=court.value))
            assert answer.status_code == 202, answer.text  # acknowledged: it must reach every region
            filing_id = answer.json()["id"]
            assert clerk.get(f"/filings/{filing_id}").status_code == 200  # the window reads its own at once
        self.filings[filing_id] = (window, court)
        self.undecided.setdefault(court, set()).add(filing_id)

    def _raise(self, region: Region) -> None:
        with self._client(region, A, Role.POLICE_OFFICER) as police:
            answer = police.post("/alerts", json=alert_body())
            assert answer.status_code == 201, answer.text
        alert_id = answer.json()["id"]
        self.alerts[alert_id] = region
        for target in others(region):
            self.unacknowledged.setdefault(target, set()).add(alert_id)

    def _decide(self, court: Region) -> None:
        """The court accepts what has reached it; what has not (a cut link) waits for the next round."""
        with self._client(court, F, Role.COURT_OFFICER) as officer:
            for filing_id in sorted(self.undecided.get(court, set())):
                answer = officer.post(f"/filings/{filing_id}/accept")
                assert answer.status_code in (200, 404, 409), answer.text
                if answer.status_code == 200:
                    self.undecided[court].discard(filing_id)

    def _acknowledge(self, target: Region) -> None:
        with self._client(target, A, Role.POLICE_OFFICER) as police:
            for alert_id in sorted(self.unacknowledged.get(target, set())):
                answer = police.post(f"/alerts/{alert_id}/ack")
                assert answer.status_code in (200, 404, 409), answer.text
                if answer.status_code != 404:  # 409: escalated meanwhile, as the owner decided
                    self.unacknowledged[target].discard(alert_id)

    def held_by(self, region: Region, window: Region) -> set[str]:
        """Which of `window`'s filings `region` holds."""
        held = {row[0] for row in store_rows(self.cluster, region, F, "SELECT id FROM filings")}
        return {f for f, (w, _) in self.filings.items() if w == window} & held


def unapplied(cluster: Cluster) -> dict[str, int]:
    """Per flow, how many events a region published that another has not applied yet."""
    missing = {}
    for service in SERVICES:
        applied = {
            r: {row[0] for row in store_rows(cluster, r, service, "SELECT event_id FROM processed_events")}
            for r in Region
        }
        for source in Region:
            query = "SELECT event_id FROM outbox WHERE topic=?"
            published = {row[0] for row in store_rows(cluster, source, service, query, [topic(source, service)])}
            for region in others(source):
                if published - applied[region]:
                    missing[f"{service.value} {source.value}->{region.value}"] = len(published - applied[region])
    return missing


def disagreements(cluster: Cluster) -> list[str]:
    """Read models on which the three regions do not agree."""
    found = []
    for service, queries in READ_MODELS.items():
        for query in queries:
            views = {region: store_rows(cluster, region, service, query) for region in Region}
            if len({tuple(rows) for rows in views.values()}) > 1:
                found.append(f"{service.value}: {query}")
    return found


def converged(cluster: Cluster) -> bool:
    return not unapplied(cluster) and not disagreements(cluster)


def copies(clusters: dict[Region, KafkaAccess]) -> dict[str, Counter]:
    """Per cluster and topic, how often each event (ce_id) is on it: the owner's topic and every copy."""
    found = {}
    for region, kafka in clusters.items():
        for service in SERVICES:
            for source in Region:
                name = topic(source, service)
                ids = Counter(
                    dict(record.headers)["ce_id"].decode() for batch in read_to_end(kafka, [name]) for record in batch
                )
                found[f"{name}@{region.value}"] = ids
    return found


def strays(kafka: KafkaAccess) -> set[str]:
    """Topics in a region's namespace on this cluster that the catalogue does not declare: a copy of
    something MirrorMaker should have left alone (its heartbeats once came back as `jiashan.heartbeats`)."""
    admin = KafkaAdminClient(**kafka.config())
    try:
        names = set(admin.list_topics())
    finally:
        admin.close()
    prefixes = tuple(f"{region.value}." for region in Region)
    return {name for name in names if name.startswith(prefixes)} - {spec.name for spec in catalogue()}
