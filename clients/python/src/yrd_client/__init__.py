"""Typed Python client for YRD Legal Link.

- `Client` / `AsyncClient`: every operation of the six services over HTTP, answers as typed models
  (`yrd_client.models`, generated from the services' OpenAPI), problems raised as `ProblemError`
  subclasses, an Idempotency-Key on every write and safe retries, pagination as iterators, and bulk
  NDJSON helpers (`*_batch`) that yield one `Outcome` per record.
- `ClientCredentials`: an agency system's token from its region's identity provider (OAuth 2.0 client
  credentials), kept and renewed before expiry; give it wherever a token goes.
- `yrd_client.kafka.Commands` (extra `kafka`): commands on Kafka and their results.
"""

from importlib.metadata import PackageNotFoundError, version

from yrd_client import models
from yrd_client.client import AsyncClient, Client
from yrd_client.credentials import ClientCredentials, TokenRefused
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

try:
    __version__ = version("yrd-client")  # the installed distribution's, as its pyproject.toml gives it
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "AsyncClient",
    "BadRequest",
    "Client",
    "ClientCredentials",
    "Conflict",
    "FieldError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "Outcome",
    "PayloadTooLarge",
    "ProblemError",
    "ServiceUnavailable",
    "TokenRefused",
    "TooManyRequests",
    "Unauthorized",
    "UnsupportedMediaType",
    "__version__",
    "models",
]
