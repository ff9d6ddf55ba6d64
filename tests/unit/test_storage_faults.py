"""A store that cannot be written answers 503 with Retry-After on the same connection, never a 500, and
readiness says which part failed. The app runs in-process without its lifespan (no broker needed)."""

from __future__ import annotations

import sqlite3

from fastapi.testclient import TestClient

from services.filing.declaration import SERVICE as FILING
from shared.contracts.regions import Region
from shared.core.settings import Settings
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.instances import KEYS, token


def app_with_full_disk(tmp_path):
    from shared.adapters.tokens import init_dev_keys

    init_dev_keys(KEYS)
    settings = Settings(region=Region.JIASHAN, data_dir=tmp_path, keys_dir=KEYS, kafka_bootstrap="127.0.0.1:1")
    app = FILING.app(settings)
    store = app.state.runtime.store

    def full_disk(fn):
        raise sqlite3.OperationalError("database or disk is full")

    async def full_disk_awaited(fn):
        full_disk(fn)

    store.write = full_disk  # every write goes through Store.write or Store.write_async (group commit)
    store.write_async = full_disk_awaited
    store.writable = lambda: False
    return app


def test_a_full_disk_answers_503_with_retry_after_and_keeps_the_connection(tmp_path):
    client = TestClient(app_with_full_disk(tmp_path), raise_server_exceptions=False)
    headers = {"authorization": f"Bearer {token(Region.JIASHAN, Role.WINDOW_CLERK)}"}
    response = client.post("/v1/filings", json=filing_body(), headers=headers)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers.get("connection") != "close"
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["store"] is False
