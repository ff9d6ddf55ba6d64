"""我的待办 / My work: what waits for the signed-in person, by role, soonest deadline first. The lists are
the API's own (read with the person's token, so a person sees only what the API shows them); ordering and
the overdue mark are decided here (pure: `ordered`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.desk.upstream import Upstream
from shared.contracts.regions import Domain

F, A, C, N, E = Domain.FILING, Domain.ALERTS, Domain.CORRECTIONS, Domain.NOTARY, Domain.ENFORCEMENT
MOST = 200  # per list: the first two pages; the page says when more were left
MOST_PROPOSALS = 50  # proposed benchmarks whose votes are read to see whether this region has voted


@dataclass(frozen=True)
class Item:
    section: str  # a text key: the heading the item is listed under
    href: str
    label: str  # the record's own words (its title, claim, docket or id)
    status: tuple[str, str]  # (enum kind, value)
    deadline: datetime | None
    overdue: bool
    countdown: bool = False  # a live countdown (an alert's acknowledgement)


@dataclass
class Work:
    sections: dict[str, list[Item]]
    truncated: bool = False

    @property
    def count(self) -> int:
        return sum(len(items) for section, items in self.sections.items() if section != "work_supervisor")


def moment(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def ordered(items: list[Item]) -> list[Item]:
    """Overdue first, then the soonest deadline; items without a deadline last, in the API's order."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(items, key=lambda i: (not i.overdue, i.deadline or far))


def _filing(section: str, f: dict[str, Any], deadline: datetime | None, now: datetime) -> Item:
    overdue = bool(f.get("overdue_flagged")) or (deadline is not None and deadline < now)
    label = f.get("docket_number") or f.get("claim_summary", "")[:60]
    return Item(section, f"/filings/{f['id']}", label, ("FilingStatus", f["status"]), deadline, overdue)


async def court(up: Upstream, now: datetime) -> Work:
    """The court's queue, soonest decision deadline first across the whole queue (the API's `order=due`): the
    first MOST of each status are the soonest of that status, so their merge starts with the soonest of all."""
    mine = up.region.value
    lists = await asyncio.gather(
        *(
            up.items(F, "/v1/filings", {"court_region": mine, "status": s, "order": "due"}, most=MOST)
            for s in ("received", "resubmitted")
        )
    )
    items = [_filing("work_court", f, moment(f.get("decision_due")), now) for found, _, _ in lists for f in found]
    return Work({"work_court": ordered(items)}, any(more for _, more, _ in lists))


async def clerk(up: Upstream, now: datetime) -> Work:
    params = {"receiving_region": up.region.value, "status": "correction_requested"}
    found, more, _ = await up.items(F, "/v1/filings", params, most=MOST)
    items = []
    for f in found:
        day = f.get("correction_deadline")
        deadline = datetime.fromisoformat(f"{day}T23:59:59+08:00") if day else None
        items.append(_filing("work_clerk", f, deadline, now))
    return Work({"work_clerk": ordered(items)}, more)


async def police(up: Upstream, now: datetime) -> Work:
    alerts, reinforcements = await asyncio.gather(
        up.items(A, "/v1/alerts", {"awaiting_ack": "true"}, most=MOST),
        up.items(A, "/v1/reinforcement-requests", {"to_region": up.region.value, "status": "open"}, most=MOST),
    )
    acks = []
    for a in alerts[0]:
        due = moment(a.get("ack_due"))
        acks.append(Item("work_police_ack", f"/alerts/{a['id']}", a["title"], ("Severity", a["severity"]), due,
                         due is not None and due < now, countdown=True))  # fmt: skip
    asks = [
        Item(
            "work_police_reinf",
            f"/alerts/{r['alert_id']}#reinforcement_requests-{r['id']}",
            f"{r.get('units')} × {r.get('kind')} → {r.get('rendezvous')}",
            ("status", r["status"]),
            moment(r.get("requested_at")),
            False,
        )
        for r in reinforcements[0]
    ]
    return Work({"work_police_ack": ordered(acks), "work_police_reinf": asks}, alerts[1] or reinforcements[1])


def _subject(section: str, s: dict[str, Any], deadline: datetime | None, overdue: bool) -> Item:
    label = f"{s.get('name_masked') or ''} {s.get('id_masked') or ''}".strip() or s["id"]
    return Item(section, f"/subjects/{s['id']}", label, ("SubjectStatus", s["status"]), deadline, overdue)


def _move(section: str, m: dict[str, Any], deadline: datetime | None) -> Item:
    """A transfer or trip arriving here, by its subject (whose page has the rest)."""
    dates = f" · {m['from_date']} – {m['to_date']}" if m.get("from_date") else ""
    return Item(section, f"/subjects/{m['subject_id']}", f"{m['subject_id']}{dates}", ("status", m["status"]),
                deadline, bool(m.get("overdue_flagged")))  # fmt: skip


async def corrections(up: Upstream, now: datetime) -> Work:
    """Overdue report-ins of the region's subjects; what arrives here: transfers awaiting this region's
    acceptance (oldest request first) and trips approved or under way to it (earliest first day first),
    from the API's arrival lists (`destination` + `status`)."""
    mine = up.region.value
    transfers, approved, checked_in, enrolled = await asyncio.gather(
        up.items(C, "/v1/transfers", {"destination": mine, "status": "pending"}, most=MOST),
        up.items(C, "/v1/travels", {"destination": mine, "status": "approved"}, most=MOST),
        up.items(C, "/v1/travels", {"destination": mine, "status": "checked_in"}, most=MOST),
        up.items(C, "/v1/subjects", {"status": "enrolled", "home_region": mine}, most=MOST),
    )
    asks = [_move("work_corr_transfers", t, None) for t in transfers[0]]  # no deadline: the API's order
    trips = [
        _move("work_corr_trips", t, datetime.fromisoformat(f"{t['from_date']}T00:00:00+08:00"))
        for t in approved[0] + checked_in[0]
    ]
    late = []
    for s in enrolled[0]:
        due = moment(s.get("report_in_due"))
        if s.get("overdue_flagged") or (due is not None and due < now):
            late.append(_subject("work_corr_overdue", s, due, True))
    sections = {"work_corr_overdue": ordered(late), "work_corr_transfers": asks, "work_corr_trips": ordered(trips)}
    return Work(sections, transfers[1] or approved[1] or checked_in[1] or enrolled[1])


async def notary(up: Upstream, now: datetime) -> Work:
    mine = up.region.value
    proofs, revoked = await asyncio.gather(
        up.items(N, "/v1/proof-requests", {"holding_region": mine, "status": "requested"}, most=MOST),
        up.items(N, "/v1/verifications", {"issuer_region": mine, "result": "revoked"}, most=MOST),
    )
    asks = []
    for p in proofs[0]:
        due = moment(p.get("due_at"))
        overdue = bool(p.get("overdue_flagged")) or (due is not None and due < now)
        asks.append(Item("work_notary_proofs", f"/proof-requests/{p['id']}", p.get("application_ref", p["id"]),
                         ("ProofType", p["proof_type"]), due, overdue))  # fmt: skip
    checks = [
        Item(
            "work_notary_revoked",
            f"/certificates/{v['number']}",
            v["number"],
            ("VerificationResult", v["result"]),
            moment(v.get("verified_at")),
            False,
        )
        for v in revoked[0]
    ]
    return Work({"work_notary_proofs": ordered(asks), "work_notary_revoked": checks}, proofs[1] or revoked[1])


def _decision(section: str, d: dict[str, Any]) -> Item:
    label = f"{d['code']} · {d['fine_yuan']:,} 元"
    # A sign-off has no deadline of its own: listed in the API's order, no countdown.
    return Item(section, f"/decisions/{d['id']}", label, ("DecisionStatus", d["status"]), None, False)


def _pending_decisions(up: Upstream):
    return up.items(E, "/v1/decisions", {"decided_region": up.region.value, "status": "pending_review"}, most=MOST)


async def enforcement_officer(up: Upstream, now: datetime) -> Work:
    """This region's decisions waiting for the legal sign-off (the API's summaries do not say who recorded
    each: an officer sees the region's)."""
    found, more, _ = await _pending_decisions(up)
    return Work({"work_enf_pending": ordered([_decision("work_enf_pending", d) for d in found])}, more)


async def enforcement_legal(up: Upstream, now: datetime) -> Work:
    """Decisions waiting for this region's sign-off; benchmark versions this region has not voted on yet
    (each proposal's page says who voted, read for at most MOST_PROPOSALS of them)."""
    mine = up.region.value
    pending, proposed = await asyncio.gather(
        _pending_decisions(up), up.items(E, "/v1/benchmarks", {"status": "proposed"}, most=MOST)
    )
    listed = proposed[0][:MOST_PROPOSALS]
    views = await asyncio.gather(*(up.get(E, f"/v1/benchmarks/{b['id']}") for b in listed))
    votes = []
    for b, view in zip(listed, views, strict=True):
        if view.ok and any(v["region"] == mine and v["version"] == b["version"] for v in view.body.get("votes", [])):
            continue
        start = datetime.fromisoformat(f"{b['effective_from']}T00:00:00+08:00") if b.get("effective_from") else None
        votes.append(Item("work_enf_votes", f"/act/benchmark.vote/{b['id']}?version={b['version']}",
                          f"{b['code']} {b['name']} v{b['version']}", ("BenchmarkStatus", b["status"]), start,
                          False))  # fmt: skip
    sections = {
        "work_enf_signoff": ordered([_decision("work_enf_signoff", d) for d in pending[0]]),
        "work_enf_votes": ordered(votes),
    }
    return Work(sections, pending[1] or proposed[1])


async def supervisor(up: Upstream, now: datetime) -> Work:
    return Work({"work_supervisor": []})


BY_ROLE = {
    "court_officer": court,
    "window_clerk": clerk,
    "police_officer": police,
    "corrections_officer": corrections,
    "notary": notary,
    "enforcement_officer": enforcement_officer,
    "enforcement_legal": enforcement_legal,
    "supervisor": supervisor,
}


async def of(up: Upstream, roles: frozenset[str], now: datetime | None = None) -> Work:
    """My work for every desk role the person has, sections in the order of the roles."""
    now = now or datetime.now(UTC)
    works = await asyncio.gather(*(BY_ROLE[r](up, now) for r in BY_ROLE if r in roles))
    merged = Work({})
    for work in works:
        merged.sections.update(work.sections)
        merged.truncated = merged.truncated or work.truncated
    return merged
