"""Rules of the HTTP edge that need no server: validation problems, cursors, idempotency fingerprints,
correlation ids."""

from __future__ import annotations

import base64

import orjson
import pytest
from pydantic import BaseModel, ValidationError

from shared.adapters.gate import correlation_id_from
from shared.contracts.commands import Enrol, SubmitFiling
from shared.contracts.pagination import decode_cursor, encode_cursor
from shared.contracts.problems import Problem, validation_problem
from shared.entrypoints.web import fingerprint
from tests.e2e.filing_data import filing_body, id_number


def problem_of(model: type[BaseModel], body: dict) -> Problem:
    with pytest.raises(ValidationError) as error:
        model.model_validate(body)
    return validation_problem(error.value.errors())


def test_a_wrong_discriminator_is_not_echoed():
    secret = id_number()
    body = filing_body(court="qingpu")
    body["parties"][0]["kind"] = secret
    problem = problem_of(SubmitFiling, body)
    assert problem.status == 422
    assert secret not in orjson.dumps(problem.body()).decode()
    assert problem.extensions["errors"][0]["field"] == "parties.0"


def test_model_level_rules_name_the_field_at_fault():
    body = filing_body(court="qingpu")
    for party in body["parties"]:
        party["role"] = "plaintiff"
    assert [e["field"] for e in problem_of(SubmitFiling, body).extensions["errors"]] == ["parties"]
    enrol = {
        "id_number": id_number(born="19800101", seq="471"),
        "name": "郑某",
        "gender": "female",  # odd sequence: male
        "birth_date": "1980-01-01",
        "correction_type": "control",
        "sentence_summary": "s",
        "judgment_effective_date": "2026-01-01",
        "start_date": "2026-01-01",
        "end_date": "2026-06-01",
        "supervising_office": "o",
        "risk_level": "low",
        "residence_address": "a",
    }
    assert [e["field"] for e in problem_of(Enrol, enrol).extensions["errors"]] == ["gender"]
    enrol.update(gender="male", end_date="2025-12-01")
    assert [e["field"] for e in problem_of(Enrol, enrol).extensions["errors"]] == ["end_date"]


def test_a_body_that_is_not_json_is_400():
    problem = validation_problem([{"type": "json_invalid", "loc": ("body", 26), "msg": "JSON decode error"}])
    assert problem.status == 400


@pytest.mark.parametrize("key", [[[1], [2]], [{"a": 1}, "x"], [True, "x"], "text", [1]])
def test_crafted_cursors_are_422(key):
    cursor = base64.urlsafe_b64encode(orjson.dumps(key)).decode().rstrip("=")
    with pytest.raises(Problem) as refused:
        decode_cursor(cursor, 2)
    assert refused.value.status == 422


def test_cursors_round_trip():
    assert decode_cursor(encode_cursor("2026-01-01T00:00:00+00:00", "id-1"), 2) == ["2026-01-01T00:00:00+00:00", "id-1"]


def test_fingerprints_bind_body_and_purpose_not_formatting():
    one = fingerprint(b'{"a": 1, "b": 2}', "supervision")
    assert one == fingerprint(b'{"b":2,"a":1}', "supervision")
    assert one != fingerprint(b'{"a": 1, "b": 3}', "supervision")
    assert one != fingerprint(b'{"a": 1, "b": 2}', None)
    assert fingerprint(b"", None) != fingerprint(b"", "supervision")


def test_correlation_ids_are_plain_tokens_or_replaced():
    assert correlation_id_from(b"abc-123_x.y:z") == "abc-123_x.y:z"
    for crafted in ("相关".encode(), b"a b", b"x" * 200, b"a\r\nb", None):
        replaced = correlation_id_from(crafted)
        assert replaced != (crafted or b"").decode("utf-8", "replace") and len(replaced) == 36
