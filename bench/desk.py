"""The desk's My work at scale: a Qingpu court officer's page with 10,000 filings in the court's queue.

A Qingpu filing store is filled with 10,000 filings received by the Qingpu court within the last week
(rows made as bench/scale_fill.py makes them, through the filing service's own migrations), a real Qingpu
filing instance serves it, and the desk (services/desk, in this process) renders `GET /work` for a court
officer's session — its calls to the instance are real HTTP with the officer's token. p50 / p99 of the
whole page (the queue's first pages read, ordered by deadline, rendered) and of the rows htmx polls.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import quantiles

import httpx
from kafka.admin import KafkaAdminClient

from bench.scale_fill import _filing, _insert
from services.desk.app import build
from services.filing.store import MIGRATIONS
from shared.adapters.gate import VerifiedTokens
from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.admin import provision
from shared.adapters.store import Store
from shared.adapters.tokens import TrustList, init_dev_keys, load_private_key, mint
from shared.contracts.regions import Domain, Region, port_of
from shared.contracts.topics import catalogue
from shared.core.settings import ROOT, Settings
from shared.rules.policy import Role

PORT_BASE = 27000  # apart from bench/http.py's 26000
KEYS = ROOT / ".cache" / "keys"
Q = Region.QINGPU


def fill_queue(path: Path, n: int, now: datetime, seed: int = 11) -> None:
    """`n` filings received by the Qingpu court in the last 7 days, undecided (the court's queue)."""
    rng = random.Random(seed)
    store = Store(path, MIGRATIONS)
    with store.transaction() as conn:
        rows, timeline = [], []
        for i in range(n):
            at = now - timedelta(days=6.9) + timedelta(days=6.9) * i / n
            row, events, _, _ = _filing(i, at, now, rng)
            row.update(court_region=Q.value, status=rng.choice(["received", "received", "resubmitted"]),
                       decided_at=None, docket_number=None, reason=None, missing_items=None,
                       correction_deadline=None, correction_lapsed=0, version=2)  # fmt: skip
            rows.append(row)
            timeline += events[:2]
        _insert(conn, "filings", rows)
        _insert(conn, "timeline", timeline)
    store.checkpoint()


def _p(samples: list[float]) -> dict[str, float]:
    cuts = quantiles(samples, n=100)
    return {"p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000, "samples": len(samples)}


async def _timed(app, token: str, repeat: int) -> dict[str, dict[str, float]]:
    desk = app.state.desk
    session = desk.sign_in.open(VerifiedTokens(TrustList.load(Settings(keys_dir=KEYS).resolved_trust_file))
                                .principal(token), token)  # fmt: skip
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk", cookies={"yrd_desk": session.id}) as web:
        found = {}
        for path in ("/work", "/work/rows"):
            answer = await web.get(path)
            assert answer.status_code == 200 and "/filings/" in answer.text, f"{path}: {answer.status_code}"
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                await web.get(path)
                samples.append(time.perf_counter() - started)
            found[path] = _p(samples)
        return found


def run(kafka: KafkaAccess, filings: int = 10_000, repeat: int = 50) -> dict:
    init_dev_keys(KEYS)
    folder = Path(tempfile.mkdtemp(prefix="yrd-bench-desk-"))
    prefix = f"bd{uuid.uuid4().hex[:6]}."
    specs = catalogue(prefix)
    provision(kafka, specs, prefix)
    started = time.perf_counter()
    fill_queue(folder / f"{Q.value}-filing.sqlite3", filings, datetime.now(UTC))
    fill_seconds = time.perf_counter() - started
    env = {**os.environ, "KAFKA_BOOTSTRAP": kafka.bootstrap, "YRD_TOPIC_PREFIX": prefix, "YRD_DATA_DIR": str(folder),
           "YRD_PORT_BASE": str(PORT_BASE), "YRD_KEYS_DIR": str(KEYS), "YRD_LOG_LEVEL": "WARNING"}  # fmt: skip
    log = open(folder / "filing.log", "ab")  # noqa: SIM115 (closed below)
    instance = subprocess.Popen([sys.executable, "-m", "yrd.cli", "serve", "filing", "--region", Q.value], env=env,
                                stdout=subprocess.DEVNULL, stderr=log)  # fmt: skip
    try:
        ready = f"http://127.0.0.1:{port_of(Q, Domain.FILING, PORT_BASE)}/readyz"
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(ready, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("bench desk: the Qingpu filing instance did not get ready")
            time.sleep(0.2)
        token = mint(load_private_key(KEYS, Q), Q, "bench-court@qingpu", [Role.COURT_OFFICER])
        app = build(Settings(region=Q, port_base=PORT_BASE, keys_dir=KEYS, data_dir=folder))
        timings = asyncio.run(_timed(app, token, repeat))
    finally:
        instance.terminate()
        instance.wait(timeout=30)
        log.close()
        admin = KafkaAdminClient(**kafka.config())
        try:
            admin.delete_topics([spec.name for spec in specs], raise_errors=False)
        finally:
            admin.close()
    return {"filings": filings, "fill_seconds": fill_seconds, **timings}


def table(results: dict) -> str:
    lines = [f"desk My work, court officer, {results['filings']:,} filings in the queue", "| page | p50 ms | p99 ms |",
             "| --- | --- | --- |"]  # fmt: skip
    for path in ("/work", "/work/rows"):
        r = results[path]
        lines.append(f"| {path} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run(KafkaAccess.of(os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")))))
