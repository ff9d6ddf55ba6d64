"""Read models converge whatever order events arrive in, and however often.

Hypothesis plays a random life of a few filings across the zone (submissions at any window for any
court, decisions, corrections, resubmissions, withdrawals, refused ones too), with every event delivered
as it happens. Then it takes everything the three regions put on the bus and feeds it to fresh stores in a
shuffled order with duplicates, as a restarted consumer or a rebuild might see it. Every fresh store must
end up with the same read model as the live regions, which must agree with each other.
"""

from __future__ import annotations

import random
import tempfile
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.adapters.tokens import init_dev_keys
from shared.contracts.regions import Domain, Region, zone_today
from shared.rules.policy import Role
from tests.backends import zone_database
from tests.e2e.filing_data import filing_body
from tests.inmemory import InMemoryZone
from tests.instances import KEYS, token

REGIONS = list(Region)
FILINGS = "SELECT * FROM filings ORDER BY id"
TIMELINE = "SELECT event_id, record_id, type, at, region, actor, detail FROM timeline ORDER BY event_id"

steps = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.sampled_from(REGIONS), st.sampled_from(REGIONS)),
        st.tuples(
            st.sampled_from(["accept", "reject", "request-correction", "resubmit", "withdraw"]),
            st.integers(0, 3),
            st.none(),
        ),
    ),
    min_size=1,
    max_size=12,
)


def _live(zone: InMemoryZone, plan: list[tuple]) -> None:
    filings: list[tuple[str, Region, Region]] = []  # (id, window, court)
    for step, a, b in plan:
        if step == "submit":
            clerk = zone.client(a, token=token(a, Role.WINDOW_CLERK))
            filing_id = clerk.post("/filings", json=filing_body(court=b.value)).json()["id"]
            filings.append((filing_id, a, b))
            continue
        if not filings:
            continue
        filing_id, window, court = filings[a % len(filings)]
        if step in ("resubmit", "withdraw"):  # asked at the window, applied by the court
            clerk = zone.client(window, token=token(window, Role.WINDOW_CLERK))
            resubmitted = [{"name": "补充证据.pdf", "sha256": "cd" * 32}]  # differs from the submitted ones
            body = {"documents": resubmitted} if step == "resubmit" else {"reason": "撤回"}
            clerk.post(f"/filings/{filing_id}/{step}", json=body)
            continue
        officer = zone.client(court, token=token(court, Role.COURT_OFFICER))
        body = {
            "reject": {"reason": "不符合起诉条件"},
            "request-correction": {
                "missing_items": ["证据目录"],
                "deadline": (zone_today() + timedelta(days=15)).isoformat(),
            },
        }.get(step)
        officer.post(f"/filings/{filing_id}/{step}", json=body)  # 409s are part of life


def _converges(service: Domain, play, tables: list[str], seed: int, duplicates: int, pg: str | None) -> None:
    """Play a life in a live zone, then replay what it published into fresh stores in a shuffled order (on
    PostgreSQL, `pg`: each zone in a database of its own, dropped after the example)."""
    init_dev_keys(KEYS)
    order = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as databases:
        live_url, fresh_url = (databases.enter_context(zone_database(pg, service)) if pg else None for _ in range(2))
        live = InMemoryZone(service, Path(tmp) / "live", KEYS, store_url=live_url)
        fresh = InMemoryZone(service, Path(tmp) / "fresh", KEYS, hold=True, store_url=fresh_url)
        try:
            play(live)
            expected = {sql: live.rows(Region.QINGPU, sql) for sql in tables}
            for region in REGIONS:  # the live regions agree
                assert {sql: live.rows(region, sql) for sql in tables} == expected, region
            deliveries = [d for d in live.log if d.topic.endswith(f".{service.value}")]
            shuffled = deliveries + [order.choice(deliveries) for _ in range(duplicates if deliveries else 0)]
            order.shuffle(shuffled)
            for region in REGIONS:
                fresh.runtime(region).replaying = True  # projection only: the reactions' events are in the log
                for delivery in shuffled:
                    fresh.deliver(delivery, region)
                assert {sql: fresh.rows(region, sql) for sql in tables} == expected, region
        finally:
            live.close()
            fresh.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=steps, seed=st.integers(0, 2**32), duplicates=st.integers(0, 10))
def test_filing_read_models_converge_in_any_order(flows_pg, plan, seed, duplicates):
    _converges(Domain.FILING, lambda zone: _live(zone, plan), [FILINGS, TIMELINE], seed, duplicates, flows_pg)
