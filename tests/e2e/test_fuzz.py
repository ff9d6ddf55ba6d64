"""Bad input gets a clear, documented error, never a 500: schemathesis generates requests from each
service's own OpenAPI (boundary values, wrong types, malformed bodies) against a running instance."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from shared.contracts.regions import SERVICES, Domain, Region
from shared.rules.policy import Role
from tests.instances import token

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
ST = ROOT / ".venv" / "bin" / "st"
CLUSTERS = {
    Domain.FILING: "filing_cluster",
    Domain.ALERTS: "alerts_cluster",
    Domain.NOTARY: "notary_cluster",
    Domain.CORRECTIONS: "corrections_cluster",
    Domain.ENFORCEMENT: "enforcement_cluster",
    Domain.PROCURATORATE: "procuratorate_cluster",
}


@pytest.mark.parametrize("service", list(SERVICES), ids=lambda s: s.value)
def test_generated_requests_never_get_a_server_error_or_an_undocumented_answer(request, service):
    cluster = request.getfixturevalue(CLUSTERS[service])
    every_role = token(Region.QINGPU, *[r for r in Role if r is not Role.OPERATOR], subject="fuzzer")
    result = subprocess.run(
        [
            str(ST),
            "run",
            cluster.url(Region.QINGPU, service) + "/openapi.json",
            "--header",
            f"Authorization: Bearer {every_role}",
            "--header",
            "X-Purpose: supervision",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "15",
            "--generation-deterministic",
            "--request-timeout",
            "10",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        # NDJSON for the bulk routes (tests/e2e/st_hooks.py)
        env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.e2e.st_hooks", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout
