"""When a consumed event makes a region emit (the court receiving a filing addressed to it), the relay is
woken once the reaction's transaction has committed, so the event leaves at once, not at the relay's next
poll; an event that makes a region emit nothing wakes no one."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from shared.adapters import outbox
from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.instances import token

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG


def test_the_relay_wakes_after_a_reaction_commits_and_only_then(zone_of):
    zone = zone_of(Domain.FILING, hold=True)
    visible_at_wakeup: dict[Region, list[int]] = {Q: [], W: []}
    for region, seen in visible_at_wakeup.items():
        path = zone.db(region)

        def notify(seen=seen, path=path) -> None:  # what the relay would find, from its own connection
            with closing(sqlite3.connect(path)) as conn:
                seen.append(outbox.backlog(conn))

        zone.runtime(region).relay.notify = notify
    zone.client(J, token=token(J, Role.WINDOW_CLERK)).post("/filings", json=filing_body(court="qingpu"))
    (submitted,) = [d for d in zone.take() if ".filing" in d.topic]

    assert zone.deliver(submitted, Q) and zone.deliver(submitted, W)
    assert visible_at_wakeup[Q] == [1]  # woken once, with the court's `received` already committed
    assert visible_at_wakeup[W] == []  # Wujiang only records the filing: nothing to send, no wake-up
