"""The benchmark's peer: the least a service doing our write could do. FastAPI + FastStream publishing
straight to Kafka with acks=all, the same EdDSA bearer check (every request, no cache) and the same
pydantic validation of the filing; no store, no outbox, no audit, no read model. Run by bench/http.py.
"""

from __future__ import annotations

import os
import uuid
from contextlib import asynccontextmanager

import orjson
from fastapi import FastAPI, Header, HTTPException
from faststream.kafka import KafkaBroker
from faststream.security import SASLScram512

from shared.adapters.kafka.access import DEV_CREDENTIALS, password_of
from shared.adapters.tokens import InvalidToken, TrustList, verify
from shared.contracts.commands import SubmitFiling
from shared.contracts.regions import Domain, Region
from shared.core.settings import ROOT
from shared.rules.broker_access import service_principal

# The same broker identity as the instance it is compared with (SASL/SCRAM, Jiashan's filing principal).
_principal = os.environ.get("PEER_KAFKA_USERNAME", service_principal(Region.JIASHAN, Domain.FILING))
broker = KafkaBroker(
    os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
    acks="all",
    enable_idempotence=True,
    security=SASLScram512(username=_principal, password=password_of(DEV_CREDENTIALS, _principal)),
)
trust = TrustList.load(ROOT / ".cache" / "keys" / "trust.json")
TOPIC = os.environ.get("PEER_TOPIC", "peer.filing")


@asynccontextmanager
async def lifespan(_: FastAPI):
    await broker.start()
    yield
    await broker.stop()


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/filings", status_code=202)
async def submit(body: SubmitFiling, authorization: str = Header("")) -> dict[str, str]:
    try:
        verify(authorization.removeprefix("Bearer ").strip(), trust)
    except InvalidToken:
        raise HTTPException(401) from None
    filing_id = str(uuid.uuid4())
    await broker.publish(orjson.dumps(body.model_dump(mode="json")), topic=TOPIC, key=filing_id.encode())
    return {"id": filing_id, "status": "submitted"}
