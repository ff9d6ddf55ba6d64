"""Data scale: the lists, the court's queue and a scrape's counts at 10,000, 100,000 and 1,000,000 filings
(alerts, subjects, certificates and audit entries in proportion, bench/scale_fill.py), p50 and p99 of
each, the store's size on disk, and what the list indexes cost a write (A/B in this process).

Each list query runs through its service's own store function (`services/<name>/store.py`: the SQL an
instance runs for `GET /v1/...`) on Qingpu's store, first page of 20, REPEAT times; HTTP adds the same
~0.5 ms at every size (bench/http.py measures it). Every filter alone with a value the data has, and the
combinations the API documents (as tests/flows/test_query_plans.py checks their plans).
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import scale_rebuild
from bench.scale_fill import FILLS, MIGRATIONS, filled
from services.alerts import store as alerts
from services.corrections import store as corrections
from services.filing import store as filing
from services.notary import store as notary
from shared.adapters import audit
from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.store import Store

SIZES = (10_000, 100_000, 1_000_000)
# A rebuild goes through the bulk path and the broker first: ~1 ms of a 2-core machine per event applied,
# two events a filing, so 100,000 filings take ~4 minutes to rebuild after ~10 to submit (docs/data-scale.md).
REBUILD_SIZES = (10_000,)
REPEAT = 200
Q = "qingpu"


def _ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def filing_queries() -> dict[str, dict[str, Any]]:
    """`GET /v1/filings` (FilingQuery): each filter, the court's queue, the court's overdue filings."""
    return {
        "filings ?limit=20": {},
        "filings ?status=received": {"status": "received"},
        "filings ?court_region": {"court_region": Q},
        "filings ?receiving_region": {"receiving_region": Q},
        "filings ?case_type=administrative": {"case_type": "administrative"},
        "filings ?submitted_from (30 days)": {"submitted_from": _ago(30)},
        "filings ?submitted_to (a year ago)": {"submitted_to": _ago(365)},
        "filings ?docket_number": {"docket_number": "(2026)沪0118民初9号"},
        "filings ?party_id_number (hash)": {"party_hash": "0" * 64},
        "filings ?overdue=true": {"overdue": True},
        "filings ?decided_from (7 days)": {"decided_from": _ago(7)},
        "filings ?decided_to (a year ago)": {"decided_to": _ago(365)},
        "filings ?decided_from&decided_to (a month)": {"decided_from": _ago(60), "decided_to": _ago(30)},
        "court's queue ?status=received&court_region": {"status": "received", "court_region": Q},
        "filings ?overdue=true&court_region": {"overdue": True, "court_region": Q},
        "filings ?case_type&receiving_region (undocumented)": {"case_type": "civil", "receiving_region": Q},
    }


def alert_queries() -> dict[str, dict[str, Any]]:
    return {
        "alerts ?limit=20": {},
        "alerts ?status=active": {"status": "active"},
        "alerts ?severity=I": {"severity": "I"},
        "alerts ?category=fraud": {"category": "fraud"},
        "alerts ?origin": {"origin": Q},
        "alerts ?target": {"target": Q},
        "alerts ?raised_from (a day)": {"raised_from": _ago(1)},
        "alerts ?awaiting_ack=true": {"awaiting_ack": True},
        "alerts ?origin&status=active": {"origin": Q, "status": "active"},
        "alerts ?status=active&severity=I": {"status": "active", "severity": "I"},
    }


def subject_queries() -> dict[str, dict[str, Any]]:
    return {
        "subjects ?limit=20": {},
        "subjects ?status=released": {"status": "released"},
        "subjects ?correction_type=parole": {"correction_type": "parole"},
        "subjects ?home_region": {"home_region": Q},
        "subjects ?risk_level=high": {"risk_level": "high"},
        "subjects ?home_region&status": {"home_region": Q, "status": "under_supervision"},
    }


def notary_queries() -> dict[str, tuple[Callable, dict[str, Any]]]:
    def certificates(f: dict[str, Any]) -> Callable:
        return lambda conn: notary.search_certificates(conn, f, 20, None, datetime.now(UTC))

    def verifications(f: dict[str, Any]) -> Callable:
        return lambda conn: notary.search_verifications(conn, f, 20, None)

    def proofs(f: dict[str, Any]) -> Callable:
        return lambda conn: notary.search_proofs(conn, f, 20, None)

    return {
        "certificates ?limit=20": certificates({}),
        "certificates ?issuer_region": certificates({"issuer_region": Q}),
        "certificates ?matter=birth": certificates({"matter": "birth"}),
        "certificates ?status=revoked": certificates({"status": "revoked"}),
        "certificates ?issuer_region&status=revoked": certificates({"issuer_region": Q, "status": "revoked"}),
        "verifications ?limit=20": verifications({}),
        "verifications ?certificate_number": verifications({"certificate_number": "(2026)沪青浦证字第9号"}),
        "verifications ?verifier_region": verifications({"verifier_region": Q}),
        "verifications ?result=valid": verifications({"result": "valid"}),
        "verifications ?verifier_region&revoked_since (30 days)": verifications(
            {"verifier_region": Q, "revoked_since": _ago(30)}
        ),
        "proof-requests ?holding_region&status=requested": proofs({"holding_region": Q, "status": "requested"}),
        "proof-requests ?requesting_region&status=requested": proofs({"requesting_region": Q, "status": "requested"}),
    }


def audit_queries() -> dict[str, dict[str, Any]]:
    return {
        "audit ?limit=20": {},
        "audit ?actor": {"actor": "qingpu-court_officer"},
        "audit ?since&until (a day, a month ago)": {"since": _ago(31), "until": _ago(30)},
        "audit ?actor&since (a day)": {"actor": "qingpu-court_officer", "since": _ago(1)},
    }


def _timed(conn, run: Callable, repeat: int) -> dict[str, float]:
    run(conn)  # the first read brings the pages in, as a live instance has them
    spent = []
    for _ in range(repeat):
        started = time.perf_counter()
        run(conn)
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return {"p50_ms": statistics.median(spent), "p99_ms": spent[min(len(spent) - 1, int(len(spent) * 0.99))]}


def _size(store: Store) -> int:
    store.connect().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return Path(store.path).stat().st_size


def measure(directory: Path, filings: int, repeat: int = REPEAT) -> dict[str, Any]:
    """One size: fill (or reuse) the four stores, time every list, the queue, a scrape's counts."""
    now = datetime.now(UTC)
    found: dict[str, Any] = {"filings": filings, "queries": {}, "stores": {}}
    by_service: dict[str, list[tuple[str, Callable]]] = {
        "filing": [(k, lambda c, f=f: filing.search(c, dict(f), 20, None)) for k, f in filing_queries().items()]
        + [(k, lambda c, f=f: audit.search(c, f, 21, None)) for k, f in audit_queries().items()]
        + [("a scrape's counts (filing gauges)", lambda c: (filing.counts(c), filing.overdue_count(c, Q, now)))],
        "alerts": [(k, lambda c, f=f: alerts.search(c, dict(f), 20, None, Q)) for k, f in alert_queries().items()]
        + [("a scrape's counts (alerts gauges)", lambda c: (alerts.active_counts(c), alerts.open_reinforcements(c)))],
        "corrections": [
            (k, lambda c, f=f: corrections.search(c, dict(f), 20, None)) for k, f in subject_queries().items()
        ]
        + [("a scrape's counts (corrections gauges)", lambda c: corrections.gauges(c, Q))],
        "notary": [*notary_queries().items(), ("a scrape's counts (notary gauges)", lambda c: notary.gauges(c, Q))],
    }
    for service, runs in by_service.items():
        started = time.monotonic()
        store, records = filled(directory, service, filings, now)
        fill_seconds = time.monotonic() - started
        conn = store.connect()
        found["stores"][service] = {"records": records, "bytes": _size(store), "fill_s": round(fill_seconds, 1)}
        for name, run in runs:
            found["queries"][name] = _timed(conn, run, repeat)
        store.close()
    return found


def list_indexes(service: str) -> list[str]:
    """The indexes a service's lists migration made (the one whose name ends in `-lists` or `lists`)."""
    (script,) = [sql for name, sql in MIGRATIONS[service] if name.endswith("lists")]
    return re.findall(r"CREATE INDEX (\w+)", script)


def index_write_cost(directory: Path, filings: int = 5_000, rounds: int = 7) -> dict[str, Any]:
    """What the list indexes cost a write, A/B in this process: the fastest of `rounds` alternating runs (the
    one least disturbed by the other processes on the machine; medians moved by ±60 µs from run to run):
    a filing's life through the filing store's own write functions (its details, received, decided), µs
    per filing, with none, each one, and all of the filing list indexes; and for every service, a record's
    rows inserted in bulk (bench/scale_fill.py) with none and all of its list indexes."""
    from bench.scale_fill import _filing

    new = list_indexes("filing")
    variants = {"none of them": set(new), **{f"+ {n}": set(new) - {n} for n in new}, "all of them": set()}
    now, rng = datetime.now(UTC), random.Random(3)
    rows = [_filing(i, at, now, rng)[0] for i, at in _life(filings, now)]
    spent: dict[str, list[float]] = {name: [] for name in variants}
    bulk: dict[str, list[float]] = {f"{service} {kind}": [] for service in FILLS for kind in ("none", "all")}
    for round_ in range(rounds):
        for name, dropped in variants.items():
            with _store(directory / f"cost-{round_}.sqlite3", "filing", dropped) as store:
                spent[name].append(_write_life(store, rows))
        for service, (fill, _) in FILLS.items():
            for kind in ("none", "all"):
                dropped = set(list_indexes(service)) if kind == "none" else set()
                with _store(directory / f"cost-{round_}.sqlite3", service, dropped) as store:
                    count = filings // 2
                    started = time.perf_counter()
                    with store.transaction() as conn:
                        fill(conn, count, now, random.Random(5))
                    bulk[f"{service} {kind}"].append((time.perf_counter() - started) / count * 1e6)
    return {
        "filing_life_us": {name: min(values) for name, values in spent.items()},
        "bulk_record_us": {name: min(values) for name, values in bulk.items()},
    }


@contextmanager
def _store(path: Path, service: str, dropped: set[str]) -> Iterator[Store]:
    """A fresh store of the service, without the `dropped` indexes; removed afterwards."""
    store = Store(path, MIGRATIONS[service])
    with store.transaction() as conn:
        for index in dropped:
            conn.execute(f"DROP INDEX {index}")
    try:
        yield store
    finally:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _life(n: int, now: datetime):
    for i in range(n):
        yield i, now - timedelta(days=30) + timedelta(seconds=i)


def _write_life(store: Store, rows: list[dict[str, Any]]) -> float:
    """µs per filing: its submitted details, then received, then decided, 200 filings a transaction (a bulk
    chunk's size)."""
    started = time.perf_counter()
    for start in range(0, len(rows), 200):
        with store.transaction() as conn:
            for row in rows[start : start + 200]:
                details = {k: v for k, v in row.items() if k not in ("decided_at", "docket_number", "reason")}
                filing.upsert_details(conn, {**details, "status": "submitted", "version": 1})
                filing.apply_state(conn, row["id"], 2, "received", received_at=row["received_at"])
                filing.apply_state(conn, row["id"], 3, row["status"], decided_at=row["decided_at"])
    return (time.perf_counter() - started) / len(rows) * 1e6


def run(
    directory: Path,
    sizes: tuple[int, ...] = SIZES,
    repeat: int = REPEAT,
    kafka: KafkaAccess | None = None,
    rebuild_sizes: tuple[int, ...] = REBUILD_SIZES,
) -> dict[str, Any]:
    """Every size in turn (the stores are kept in `directory`: a second run reuses them), the A/B, and with
    a broker, `yrd rebuild` at `rebuild_sizes` (bench/scale_rebuild.py)."""
    directory.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results: dict[str, Any] = {"sizes": [measure(directory, n, repeat) for n in sizes]}
    results["index_write_cost_us"] = index_write_cost(directory)
    if kafka is not None:
        results["rebuild"] = [scale_rebuild.measure(kafka, n) for n in rebuild_sizes]
    results["seconds"] = round(time.monotonic() - started)
    return results


def table(results: dict[str, Any]) -> str:
    """One row per query, one column per size: p50 / p99 in ms; then the stores, then the A/B."""
    sizes = results["sizes"]
    head = f"{'query (p50 / p99 ms)':<58}" + "".join(f"{s['filings']:>18,}" for s in sizes)
    lines = [head]
    for name in sizes[0]["queries"]:
        cells = "".join(f"{q['p50_ms']:>9.2f} /{q['p99_ms']:>7.2f}" for q in (s["queries"][name] for s in sizes))
        lines.append(f"{name:<58}{cells}")
    lines.append("")
    for service in sizes[0]["stores"]:
        cells = "".join(
            f"{st['bytes'] / 2**20:>10.0f} MiB{st['fill_s']:>5.0f}s" for st in (s["stores"][service] for s in sizes)
        )
        records = ", ".join(f"{s['stores'][service]['records']:,}" for s in sizes)
        lines.append(f"{service + ' store, size and fill (' + records + ')':<58}{cells}")
    lines.append("")
    cost = results["index_write_cost_us"]
    life = cost["filing_life_us"]
    base = life["none of them"]
    lines.append(f"a filing's three read-model writes, without the filing list indexes: {base:.1f} µs")
    lines += [f"  {name:<40}{us:>8.1f} µs ({us - base:+.1f})" for name, us in life.items() if name != "none of them"]
    bulk = cost["bulk_record_us"]
    for service in FILLS:
        none, every = bulk[f"{service} none"], bulk[f"{service} all"]
        lines.append(
            f"a {service} record's rows in bulk: {none:.1f} µs without its list indexes, {every:.1f} with them"
        )
    for rebuilt in results.get("rebuild", []):
        lines.append(
            f"yrd rebuild filing --region qingpu, {rebuilt['filings']:,} filings: {rebuilt['rebuild_s']:.0f} s "
            f"({rebuilt['report'][0]}); store {rebuilt['bytes_before'] / 2**20:.0f} MiB before, "
            f"{rebuilt['bytes_after'] / 2**20:.0f} MiB after (submitted in {rebuilt['submitted_s']:.0f} s)"
        )
    return "\n".join(lines)
