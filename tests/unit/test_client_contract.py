"""The Python client (clients/python) is derived from the services' code and stays so: its generated files
are what `make schemas` makes now, and its operation table covers every operation each service documents,
answering the model the OpenAPI says."""

from __future__ import annotations

import json

import pytest
from yrd_client.operations import Bulk, Call, Pages
from yrd_client.services import Alerts, Audit, Corrections, Filing, Notary, Operations

from shared.contracts.regions import Domain
from yrd.client_codegen import generated_files

RESOURCES = {
    Domain.FILING: Filing,
    Domain.ALERTS: Alerts,
    Domain.CORRECTIONS: Corrections,
    Domain.NOTARY: Notary,
}


@pytest.fixture(scope="module")
def files():
    return generated_files()


def test_the_committed_openapi_documents_and_client_files_are_what_the_code_generates(files):
    stale = [str(path) for path, content in files.items() if not path.exists() or path.read_text() != content]
    assert not stale, f"run `make schemas` and commit: {stale}"


def _declared(resource: type) -> dict[tuple[str, str], str | None]:
    """(method, path under /v1) -> the model name the client decodes the answer as (None: NDJSON outcomes)."""
    found: dict[tuple[str, str], str | None] = {}
    for op in vars(resource).values():
        if isinstance(op, Call):
            found[(op.method, "/v1" + op.path)] = op.returns.__name__
        elif isinstance(op, Bulk):
            found[("POST", "/v1" + op.path)] = None
        elif isinstance(op, Pages):
            assert op.page in vars(resource).values(), f"{resource.__name__}: a Pages without its page call"
    return found


def _documented(document: dict) -> dict[tuple[str, str], str | None]:
    found: dict[tuple[str, str], str | None] = {}
    for path, operations in document["paths"].items():
        if not path.startswith("/v1/"):
            continue  # health, readiness, metrics: for operators, not for integrators
        for method, operation in operations.items():
            ok = next(answer for status, answer in operation["responses"].items() if status.startswith("2"))
            schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
            ref = schema.get("$ref", "").rsplit("/", 1)[-1]
            found[(method.upper(), path)] = ref.replace("_", "") if ref else None
    return found


@pytest.mark.parametrize("service", list(RESOURCES), ids=lambda d: d.value)
def test_the_client_has_every_documented_operation_with_its_model(files, service):
    document = next(content for path, content in files.items() if path.name == f"{service.value}.json")
    documented = _documented(json.loads(document))
    declared = {**_declared(RESOURCES[service]), **_declared(Audit), **_declared(Operations)}
    assert declared == documented
