"""CPU per `POST /v1/filings` in one process, for an A/B of two trees of the code: the request through
Jiashan's app (Starlette's test client: gate, validation, command, unit of work, audit, idempotency record,
outbox), then the broker-free tier's in-memory zone settling (each event signed, delivered and applied in
the other two regions). Run from a checkout's root, one tree after the other, interleaved:

    .venv/bin/python -m bench.post_cpu [POSTS_PER_ROUND]

prints the CPU µs per POST of five rounds, sorted, for the POST alone and with the zone settling."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from shared.adapters.tokens import init_dev_keys
from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.inmemory import InMemoryZone
from tests.instances import KEYS, token

ROUNDS = 5
WARM_UP = 200


def measure(posts: int) -> dict[str, list[int]]:
    init_dev_keys(KEYS)
    body = filing_body(court="qingpu")
    with tempfile.TemporaryDirectory() as data_dir:
        zone = InMemoryZone(Domain.FILING, Path(data_dir), KEYS, hold=True)
        client = zone.client(Region.JIASHAN, token=token(Region.JIASHAN, Role.WINDOW_CLERK))
        for _ in range(WARM_UP):
            client.post("/filings", json=body)
        zone.settle()
        rounds = []
        for _ in range(ROUNDS):
            started = time.process_time()
            for _ in range(posts):
                client.post("/filings", json=body)
            posted = time.process_time() - started
            zone.settle()
            rounds.append((posted / posts * 1e6, (time.process_time() - started) / posts * 1e6))
        zone.close()
    return {"post_us": sorted(round(r[0]) for r in rounds), "with_zone_us": sorted(round(r[1]) for r in rounds)}


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 300)))
