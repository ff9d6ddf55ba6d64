"""Stores filled to a size, fast: each service's own migrations (every index and the list triggers), then
the rows its projection writes for a record's life, inserted in bulk in one transaction per chunk, through
the same columns `services/<name>/store.py` writes (a store of Qingpu, which reads every region's records).

Per filing (what Qingpu's filing store holds of a filing of any region): its row (the `listed` JSON is made
by the store's own trigger), three timeline entries (submitted, received, decided or not yet), one or two
keyed party hashes, the processed ids of the two of three events that another region wrote, and an audit
entry (Qingpu's own commands and sensitive reads: one a filing, on average). Alerts, subjects and
certificates are filled in proportion (PROPORTION), each with its timeline and its own side rows.
The records' times are spread over YEARS years back from now, newest last, like a store that has lived.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from services.alerts.store import MIGRATIONS as ALERTS
from services.corrections.store import MIGRATIONS as CORRECTIONS
from services.filing.store import MIGRATIONS as FILING
from services.notary.store import MIGRATIONS as NOTARY
from shared.adapters.store import Store

YEARS = 3
CHUNK = 20_000
REGIONS = ("jiashan", "qingpu", "wujiang")
# Records of each kind per filing (a county's police raise fewer joint alerts than its courts file cases
# across regions; notaries issue about half as many certificates; subjects under correction are few).
PROPORTION = {"alerts": 0.2, "subjects": 0.05, "certificates": 0.5}
KINDS = {"alerts": "alerts", "corrections": "subjects", "notary": "certificates"}
MIGRATIONS = {"filing": FILING, "alerts": ALERTS, "corrections": CORRECTIONS, "notary": NOTARY}


def _id(at: datetime, rng: random.Random) -> str:
    """A UUIDv7 of that instant, as the services make them (time-ordered)."""
    ms = int(at.timestamp() * 1000)
    return str(
        uuid.UUID(int=(ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0x2 << 62) | rng.getrandbits(62))
    )


def _t(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _times(n: int, now: datetime) -> Iterator[tuple[int, datetime]]:
    span = timedelta(days=365 * YEARS)
    for i in range(n):
        yield i, now - span + span * ((i + 1) / n)


def _insert(conn, table: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        columns = list(rows[0])
        sql = f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        conn.executemany(sql, [tuple(r[c] for c in columns) for r in rows])


def _timeline(record_id: str, kinds: list[tuple[str, datetime, str]], rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "event_id": _id(at, rng),
            "record_id": record_id,
            "type": kind,
            "at": _t(at),
            "region": region,
            "actor": f"{region}-officer",
            "detail": orjson.dumps({"note": kind}),
        }
        for kind, at, region in kinds
    ]


def _audit(conn, head: tuple[int, str], entries: list[tuple[str, str, datetime]]) -> tuple[int, str]:
    """Audit entries as `audit.append` stores them: hash-chained JSON and the search index. Answers the
    chain's new head (next index, last hash)."""
    (idx, prev), log, index = head, [], []
    for action, record, at in entries:
        entry = {
            "index": idx,
            "actor": "qingpu-court_officer",
            "region": "qingpu",
            "agency": None,
            "roles": ["court_officer"],
            "action": action,
            "record": record,
            "record_owner": "qingpu",
            "purpose": None,
            "decision": "allowed",
            "reason": None,
            "at": _t(at),
            "correlation_id": record,
            "prev_hash": prev,
        }
        prev = hashlib.sha256(orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)).hexdigest()
        log.append({"idx": idx, "entry": orjson.dumps({**entry, "hash": prev}), "hash": prev})
        index.append(
            {
                "idx": idx,
                "actor": entry["actor"],
                "record": record,
                "action": action,
                "decision": "allowed",
                "at": entry["at"],
            }
        )
        idx += 1
    _insert(conn, "audit_log", log)
    _insert(conn, "audit_index", index)
    return idx, prev


def _filing(i: int, at: datetime, now: datetime, rng: random.Random) -> tuple[dict, list, list, list]:
    fid = _id(at, rng)
    court, receiving = rng.choice(REGIONS), rng.choice(REGIONS)
    age = now - at
    received = at + timedelta(seconds=rng.uniform(0.05, 2))
    if age < timedelta(days=7):
        status = rng.choice(["received", "received", "received", "resubmitted", "correction_requested"])
        decided = None
    else:
        status = rng.choices(["accepted", "rejected", "withdrawn", "correction_requested"], [80, 10, 5, 5])[0]
        decided = received + timedelta(hours=rng.uniform(2, 160)) if status != "correction_requested" else None
    docket = f"({at.year})沪0118民初{i + 1}号" if status == "accepted" else None
    row = {
        "id": fid,
        "receiving_region": receiving,
        "court_region": court,
        "case_type": rng.choice(["civil", "civil", "administrative", "criminal_private", "enforcement"]),
        "status": status,
        "version": 3 if decided else 2,
        "claim_summary": "货款纠纷，请求判令被告支付货款及利息",
        "claim_amount": f"{rng.randint(1000, 900000)}.00",
        "documents": orjson.dumps(
            [{"name": "起诉状.pdf", "sha256": hashlib.sha256(fid.encode()).hexdigest()}]
        ).decode(),
        "parties": orjson.dumps(
            [
                {"kind": "person", "role": "plaintiff", "name": "张*", "id_number": "330421********123X"},
                {
                    "kind": "organisation",
                    "role": "defendant",
                    "name": "上海某某有限公司",
                    "credit_code": "91350100M000100Y43",
                },
            ]
        ).decode(),
        "filed_by": f"{receiving}-window_clerk",
        "submitted_at": _t(at),
        "received_at": _t(received),
        "decision_due": _t(received + timedelta(days=7)),
        "decided_at": _t(decided) if decided else None,
        "docket_number": docket,
        "reason": "不符合起诉条件" if status == "rejected" else None,
        "missing_items": orjson.dumps(["证据目录"]).decode() if status == "correction_requested" else None,
        "correction_deadline": (at + timedelta(days=15)).date().isoformat()
        if status == "correction_requested"
        else None,
        "overdue_flagged": int(rng.random() < 0.02),
        "correction_lapsed": int(status == "correction_requested" and age > timedelta(days=15)),
        "agency": None,
    }
    events = [("submitted", at, receiving), ("received", received, court)]
    if decided:
        events.append((status, decided, court))
    hashes = [
        {"id_hash": hashlib.sha256(f"{fid}{p}".encode()).hexdigest(), "filing_id": fid}
        for p in range(rng.randint(1, 2))
    ]
    timeline = _timeline(fid, events, rng)
    processed = [{"event_id": e["event_id"], "processed_at": e["at"]} for e in timeline if rng.random() < 0.67]
    return row, timeline, hashes, processed


def fill_filing(conn, n: int, now: datetime, rng: random.Random) -> None:
    head = (1, "0" * 64)
    times = _times(n, now)
    for _ in range(0, n, CHUNK):
        rows, timeline, hashes, processed, audited = [], [], [], [], []
        for i, at in itertools.islice(times, CHUNK):
            row, events, found, seen = _filing(i, at, now, rng)
            rows.append(row)
            timeline += events
            hashes += found
            processed += seen
            audited.append(("filing.decide" if row["decided_at"] else "filing.read", row["id"], at))
        _insert(conn, "filings", rows)
        _insert(conn, "timeline", timeline)
        _insert(conn, "filing_party_hashes", hashes)
        _insert(conn, "processed_events", processed)
        head = _audit(conn, head, audited)
        conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")


def fill_alerts(conn, n: int, now: datetime, rng: random.Random) -> None:
    rows, acks, timeline = [], [], []
    for _, at in _times(n, now):
        aid, origin = _id(at, rng), rng.choice(REGIONS)
        targets = [r for r in REGIONS if r != origin]
        active = now - at < timedelta(hours=6)
        rows.append(
            {
                "id": aid,
                "origin_region": origin,
                "category": rng.choice(["fugitive", "missing_person", "wanted_vehicle", "fraud"]),
                "severity": rng.choice(["I", "II", "III", "IV"]),
                "title": "嫌疑车辆",
                "description": "白色轿车，沪A·12345",
                "location": '{"lat": 31.1, "lon": 121.0, "address": "青浦区"}',
                "subjects": "[]",
                "action": "locate",
                "targets": orjson.dumps(targets).decode(),
                "valid_until": _t(at + timedelta(hours=6)),
                "raised_at": _t(at),
                "ack_due": _t(at + timedelta(minutes=15)),
                "status": "active" if active else rng.choice(["resolved", "expired"]),
                "version": 1 if active else 2,
                "outcome": None,
                "closed_at": None if active else _t(at + timedelta(hours=3)),
                "updated_at": _t(at),
                "agency": None,
            }
        )
        for target in targets:
            acked = None if active and rng.random() < 0.5 else _t(at + timedelta(minutes=3))
            acks.append(
                {"alert_id": aid, "region": target, "due_at": _t(at + timedelta(minutes=15)), "acknowledged_at": acked}
            )
        timeline += _timeline(aid, [("raised", at, origin), ("closed", at + timedelta(hours=3), origin)], rng)
    _insert(conn, "alerts", rows)
    _insert(conn, "alert_acks", acks)
    _insert(conn, "timeline", timeline)


def fill_corrections(conn, n: int, now: datetime, rng: random.Random) -> None:
    rows, timeline = [], []
    for _, at in _times(n, now):
        sid, home = _id(at, rng), rng.choice(REGIONS)
        rows.append(
            {
                "id": sid,
                "home_region": home,
                "name_masked": "李*",
                "id_masked": "330421********123X",
                "id_hash": hashlib.sha256(sid.encode()).hexdigest(),
                "correction_type": rng.choice(["control", "probation", "parole"]),
                "start_date": at.date().isoformat(),
                "end_date": (at + timedelta(days=365)).date().isoformat(),
                "risk_level": rng.choice(["low", "medium", "high"]),
                "status": rng.choice(["reported_in", "under_supervision", "released"]),
                "version": 3,
                "enrolled_at": _t(at),
                "report_in_due": _t(at + timedelta(days=10)),
                "overdue_flagged": 0,
                "released_at": None,
            }
        )
        timeline += _timeline(sid, [("enrolled", at, home), ("reported-in", at + timedelta(days=2), home)], rng)
    _insert(conn, "subjects", rows)
    _insert(conn, "timeline", timeline)


def fill_notary(conn, n: int, now: datetime, rng: random.Random) -> None:
    certificates, verifications, proofs, timeline = [], [], [], []
    for i, at in _times(n, now):
        issuer = rng.choice(REGIONS)
        number = f"({at.year})沪青浦证字第{i + 1}号"
        revoked = rng.random() < 0.01
        certificates.append(
            {
                "id": number,
                "issuer_region": issuer,
                "office": f"{issuer} notary office",
                "matter": rng.choice(["birth", "kinship", "contract"]),
                "applicant_name": "王*",
                "applicant_id": "330421********123X",
                "document_sha256": hashlib.sha256(number.encode()).hexdigest(),
                "valid_until": None,
                "issued_at": _t(at),
                "status": "revoked" if revoked else "valid",
                "version": 2 if revoked else 1,
                "revoked_at": _t(at + timedelta(days=30)) if revoked else None,
                "reason": None,
            }
        )
        verifications.append(
            {
                "id": _id(at, rng),
                "number": number,
                "verifier_region": rng.choice(REGIONS),
                "issuer_region": issuer,
                "result": "valid",
                "verified_at": _t(at + timedelta(days=3)),
            }
        )
        if i % 5 == 0:
            proofs.append(
                {
                    "id": _id(at, rng),
                    "requesting_region": issuer,
                    "holding_region": rng.choice(REGIONS),
                    "proof_type": "kinship",
                    "subject_name": "赵*",
                    "subject_id": "330421********123X",
                    "purpose": "继承公证",
                    "application_ref": f"A{i}",
                    "requested_at": _t(at),
                    "due_at": _t(at + timedelta(days=3)),
                    "status": rng.choice(["requested", "provided", "provided", "not_found"]),
                }
            )
        timeline += _timeline(number, [("issued", at, issuer)], rng)
    _insert(conn, "certificates", certificates)
    _insert(conn, "verifications", verifications)
    _insert(conn, "proof_requests", proofs)
    _insert(conn, "timeline", timeline)


FILLS: dict[str, tuple[Callable, str]] = {
    "filing": (fill_filing, "filings"),
    "alerts": (fill_alerts, "alerts"),
    "corrections": (fill_corrections, "subjects"),
    "notary": (fill_notary, "certificates"),
}


def filled(directory: Path, service: str, filings: int, now: datetime, seed: int = 7) -> tuple[Store, int]:
    """A Qingpu store of `service` holding its share of `filings` filings' worth of records (made here,
    or found from an earlier run of the same size). Answers the store and how many records it holds."""
    count = filings if service == "filing" else int(filings * PROPORTION[KINDS[service]])
    path = directory / f"{service}-{filings}.sqlite3"
    done = path.with_suffix(".filled")
    if not done.exists():
        path.unlink(missing_ok=True)
        store = Store(path, MIGRATIONS[service])
        fill, _ = FILLS[service]
        with store.transaction() as conn:
            fill(conn, count, now, random.Random(seed))
        store.checkpoint()
        done.write_text(str(count))
        return store, count
    return Store(path, MIGRATIONS[service]), count
