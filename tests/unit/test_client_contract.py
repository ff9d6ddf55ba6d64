"""The Python client (clients/python) is derived from the services' code and stays so: its generated files
(the OpenAPI documents, the models, the operation table) are what `make schemas` makes now; the operation
table covers every operation each service documents, answering the model the OpenAPI says; and its method
names follow one rule, but for the few names integrators already call that it does not give."""

from __future__ import annotations

import inspect
import json

import pytest
from yrd_client import Client, services
from yrd_client.operations import Bulk, Call, Pages, Resource

from shared.core.settings import ROOT
from yrd.client_codegen import generated_files
from yrd.client_services import NAMES, rule_name
from yrd.registry import SERVICES

RESOURCES = {
    name: resource
    for name, resource in vars(services).items()
    if inspect.isclass(resource) and issubclass(resource, Resource) and resource is not Resource
}
SHARED = ("Audit", "Operations")  # served by every service alike


@pytest.fixture(scope="module")
def files():
    return generated_files()


@pytest.fixture(scope="module")
def documents(files):
    return {service: json.loads(files[ROOT / "docs" / "openapi" / f"{service.value}.json"]) for service in SERVICES}


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


@pytest.mark.parametrize("service", list(SERVICES), ids=lambda d: d.value)
def test_the_client_has_every_documented_operation_with_its_model(documents, service):
    """Each service's resource with the resources every service shares is exactly what its OpenAPI lists."""
    resource = RESOURCES[service.value.capitalize()]
    declared = {**_declared(resource), **{k: v for name in SHARED for k, v in _declared(RESOURCES[name]).items()}}
    assert declared == _documented(documents[service])


def test_every_resource_is_on_the_client():
    client = Client("http://127.0.0.1:9", "token")
    on_client = {type(value).__name__ for value in vars(client).values() if isinstance(value, Resource)}
    client.close()
    assert on_client == set(RESOURCES)


@pytest.mark.parametrize(
    ("operation_id", "resource", "pages", "name"),
    [
        ("submitFiling", "filing", False, "submit"),  # the resource's own record goes unsaid
        ("submitFilingBatch", "filing", False, "submit_batch"),
        ("getFiling", "filing", False, "get"),
        ("getFilingParties", "filing", False, "parties"),  # a read without its `get`
        ("listFilings", "filing", True, "list"),
        ("raiseAlert", "alerts", False, "raise_alert"),  # not the keyword `raise`
        ("raiseAlertBatch", "alerts", False, "raise_batch"),
        ("listReinforcementRequests", "alerts", True, "reinforcement_requests"),
        ("getProofRequest", "notary", False, "proof_request"),
        ("recordDecision", "enforcement", False, "record_decision"),  # several records: each named
        ("listAuditEntries", "audit", True, "list"),
        ("dailyCounts", "operations", False, "daily"),
    ],
)
def test_the_naming_rule(operation_id, resource, pages, name):
    assert rule_name(operation_id, resource, pages) == name


def test_each_kept_name_names_an_operation_the_rule_names_otherwise(documents):
    """The table of kept names holds only what the rule does not give, for operations that exist."""
    resource_of = {
        operation["operationId"]: service.value
        for service, document in documents.items()
        for methods in document["paths"].values()
        for operation in methods.values()
    }
    assert set(NAMES) <= set(resource_of)
    same = [oid for oid, name in NAMES.items() if rule_name(oid, resource_of[oid]) == name]
    assert not same, f"the rule gives these names already: drop them from NAMES: {same}"
