"""The relay is woken by the store, once a transaction that staged outbox rows has committed, whatever
wrote them: a command, a bulk request, a consumed event's reaction, a sensitive read's audit entry. So
events leave at once, not at the relay's next poll, and the relay never looks before they are visible.
A write that staged nothing wakes no one."""

from __future__ import annotations

import orjson

from shared.adapters import outbox
from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.backends import own_connection
from tests.e2e.filing_data import filing_body
from tests.instances import token

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG


def watch_wakeups(zone) -> dict[Region, list[int]]:
    """Per region, the unsent outbox rows its relay would find, from its own connection, at each wake-up."""
    seen: dict[Region, list[int]] = {region: [] for region in Region}
    for region in Region:
        store = zone.runtime(region).store

        def on_commit(found=seen[region], store=store) -> None:
            with own_connection(store) as conn:
                found.append(outbox.backlog(conn))

        zone.runtime(region).store.on_outbox_commit(on_commit)
    return seen


def test_a_reaction_wakes_the_relay_after_it_commits_and_a_bystander_wakes_no_one(zone_of):
    zone = zone_of(Domain.FILING, hold=True)
    zone.client(J, token=token(J, Role.WINDOW_CLERK)).post("/filings", json=filing_body(court="qingpu"))
    (submitted,) = [d for d in zone.take() if ".filing" in d.topic]
    woken = watch_wakeups(zone)

    assert zone.deliver(submitted, Q) and zone.deliver(submitted, W)
    assert woken[Q] == [1]  # once, with the court's `received` already committed
    assert woken[W] == []  # Wujiang only records the filing: nothing to send


def test_commands_bulk_lines_and_audited_reads_wake_the_relay_once_each(zone_of):
    zone = zone_of(Domain.FILING, hold=True)
    woken = watch_wakeups(zone)
    clerk = zone.client(J, token=token(J, Role.WINDOW_CLERK))

    created = clerk.post("/filings", json=filing_body(court="qingpu"))
    assert created.status_code == 202
    assert woken[J] == [2]  # the filing's event and its audit entry's segment, both committed

    lines = b"\n".join(orjson.dumps(filing_body(court="wujiang")) for _ in range(3))
    assert clerk.post("/filings/batch", content=lines, headers={"content-type": "application/x-ndjson"}).is_success
    assert woken[J] == [2, 6]  # one transaction, one wake-up: three filings' events and one audit segment

    assert clerk.get("/filings", params={"limit": 5}).status_code == 200
    assert woken[J] == [2, 6]  # a read that audits nothing writes nothing

    parties = clerk.get(f"/filings/{created.json()['id']}/parties", headers={"x-purpose": "case-filing"})
    assert parties.status_code == 200
    assert woken[J] == [2, 6, 7]  # a sensitive read: its audit entry's segment

    officer = zone.client(J, token=token(J, Role.COURT_OFFICER))
    assert officer.post(f"/filings/{created.json()['id']}/accept").status_code == 403  # not Jiashan's court's
    assert woken[J] == [2, 6, 7, 8]  # the denial's audit entry, written after the command rolled back
