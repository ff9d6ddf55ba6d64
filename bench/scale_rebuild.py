"""`yrd rebuild` of one store from its topics, at a size: the three filing instances started on the broker
(their own topic namespace and data directory, as bench/http.py starts the zone), `filings` filings
submitted at Jiashan for Qingpu's court through `POST /v1/filings/batch` (the bulk path: each line's
command, audit entry and outbox row), the zone left to digest them (Qingpu receives each: two events a
filing, and the audit segments), then Qingpu's instance stopped, its store removed, and `yrd rebuild
filing --region qingpu` timed as an operator runs it. Answers the seconds, the events applied, and the
store's size before and after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson
from kafka.admin import KafkaAdminClient

from bench.http import BODY, KEYS, PORT_BASE, bulk, httpx_status, token, url, wait_quiet
from shared.adapters.kafka.access import KafkaAccess
from shared.adapters.kafka.admin import provision
from shared.adapters.tokens import init_dev_keys
from shared.contracts.regions import Domain, Region
from shared.contracts.topics import catalogue
from shared.rules.policy import Role

F = Domain.FILING
CHUNK = 5_000  # lines a bulk request


def measure(kafka: KafkaAccess, filings: int) -> dict:
    init_dev_keys(KEYS)
    from tests.e2e.filing_data import filing_body

    BODY.write_bytes(orjson.dumps(filing_body(court="qingpu")))
    directory = Path(tempfile.mkdtemp(prefix="yrd-bench-rebuild-"))
    prefix = f"br{uuid.uuid4().hex[:6]}."
    topics = catalogue(prefix)
    provision(kafka, topics, prefix, [])
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP": kafka.bootstrap,
        "YRD_TOPIC_PREFIX": prefix,
        "YRD_DATA_DIR": str(directory),
        "YRD_PORT_BASE": str(PORT_BASE),
        "YRD_KEYS_DIR": str(KEYS),
        "YRD_LOG_LEVEL": "WARNING",
    }
    procs = {region: _serve(region, env, directory) for region in Region}
    store = directory / f"{Region.QINGPU.value}-{F.value}.sqlite3"
    try:
        for region in Region:
            while httpx_status(url(region, F, "/readyz")) != 200:
                time.sleep(0.2)
        clerk = token(Region.JIASHAN, Role.WINDOW_CLERK)
        started, created = time.monotonic(), 0
        for start in range(0, filings, CHUNK):
            created += bulk(url(Region.JIASHAN, F, "/v1/filings/batch"), clerk, min(CHUNK, filings - start))["created"]
        submitted_s = time.monotonic() - started
        drained_s = wait_quiet(timeout=1800)
        procs[Region.QINGPU].terminate()
        procs[Region.QINGPU].wait(timeout=60)
        before = _size(store)
        for leftover in store.parent.glob(store.name + "*"):
            leftover.unlink()  # the store is lost
        started = time.monotonic()
        rebuilt = subprocess.run(
            [sys.executable, "-m", "yrd.cli", "rebuild", F.value, "--region", Region.QINGPU.value],
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        seconds = time.monotonic() - started
        if rebuilt.returncode != 0:
            raise SystemExit(f"bench: rebuild failed: {rebuilt.stderr[-2000:]}")
        return {
            "filings": created,
            "submitted_s": round(submitted_s, 1),
            "drained_s": round(drained_s, 1),
            "rebuild_s": round(seconds, 1),
            "report": rebuilt.stdout.strip().splitlines()[:2],
            "bytes_before": before,
            "bytes_after": _size(store),
        }
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=60)
        admin = KafkaAdminClient(**kafka.config())
        try:  # a broker full of old benchmark topics would slow the next run
            admin.delete_topics([spec.name for spec in topics], raise_errors=False)
        finally:
            admin.close()
        shutil.rmtree(directory, ignore_errors=True)  # three stores of the size: 1.5 GB at 100,000 filings


def _serve(region: Region, env: dict[str, str], directory: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "yrd.cli", "serve", F.value, "--region", region.value],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(directory / f"{region.value}-{F.value}.log", "ab"),  # lives with the process
    )


def _size(store: Path) -> int:
    """The database and its WAL, as they lie on disk."""
    return sum(p.stat().st_size for p in store.parent.glob(store.name + "*") if p.is_file())
