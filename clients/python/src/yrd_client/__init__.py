"""Typed Python client for YRD Legal Link.

- `Client` / `AsyncClient`: every operation of the four services over HTTP, answers as typed models
  (`yrd_client.models`, generated from the services' OpenAPI), problems raised as `ProblemError`
  subclasses, an Idempotency-Key on every write and safe retries, pagination as iterators, and bulk
  NDJSON helpers (`*_batch`) that yield one `Outcome` per record.
- `yrd_client.kafka.Commands` (extra `kafka`): commands on Kafka and their results.
"""

from yrd_client import models
from yrd_client.client import AsyncClient, Client
from yrd_client.problems import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    Outcome,
    PayloadTooLarge,
    ProblemError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
)

__all__ = [
    "AsyncClient",
    "BadRequest",
    "Client",
    "Conflict",
    "FieldError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "Outcome",
    "PayloadTooLarge",
    "ProblemError",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "UnsupportedMediaType",
    "models",
]
