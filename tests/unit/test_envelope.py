"""The CloudEvents binary mapping, and each way a record can be poison."""

from datetime import UTC, datetime

import orjson
import pytest

from shared.contracts import filing as ev
from shared.contracts.envelope import Event, PoisonMessage, decode, encode
from shared.contracts.regions import Region


def withdrawn_event():
    data = ev.Withdrawn(filing_id="f-1", version=3, reason="settled", withdrawn_at=datetime(2026, 5, 1, tzinfo=UTC))
    return Event(ev.WITHDRAWN, data, "f-1", Region.QINGPU, "/yrd/qingpu/filing", causation_id="c-9")


def test_binary_mode_headers_key_and_value():
    record = encode(withdrawn_event())
    headers = dict(record.headers)
    assert headers["ce_type"] == b"cn.yrd.filing.withdrawn.v1"
    assert headers["ce_source"] == b"/yrd/qingpu/filing"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_subject"] == b"f-1"
    assert headers["ce_region"] == b"qingpu"
    assert headers["ce_causationid"] == b"c-9"
    assert headers["content-type"] == b"application/json"
    assert record.key == b"f-1"
    assert orjson.loads(record.value)["reason"] == "settled"


def test_round_trip_is_lossless():
    event = withdrawn_event()
    record = encode(event)
    assert decode(record.key, record.value, record.headers) == event


def _with_header(record, name, value):
    return [(n, value if n == name else v) for n, v in record.headers]


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda r: (r.key, b"{not json", r.headers), "bad-json"),
        (lambda r: (r.key, r.value, _with_header(r, "ce_type", b"cn.yrd.filing.teleported.v1")), "unknown-type"),
        (lambda r: (r.key, r.value, _with_header(r, "ce_type", b"cn.yrd.filing.withdrawn.v9")), "unknown-version"),
        (lambda r: (r.key, b'{"filing_id": "f-1"}', r.headers), "schema-invalid"),
        (lambda r: (r.key, r.value, [h for h in r.headers if h[0] != "ce_id"]), "bad-envelope"),
        (lambda r: (r.key, r.value, _with_header(r, "ce_region", b"atlantis")), "bad-envelope"),
    ],
)
def test_poison_kinds(mutate, reason):
    with pytest.raises(PoisonMessage) as poison:
        decode(*mutate(encode(withdrawn_event())))
    assert poison.value.reason == reason


def test_schema_errors_name_fields_not_values():
    record = encode(withdrawn_event())
    value = orjson.dumps({"filing_id": "f-1", "version": "x", "reason": "33042119900101123X", "withdrawn_at": 5})
    with pytest.raises(PoisonMessage) as poison:
        decode(record.key, value, record.headers)
    assert "version" in poison.value.detail
    assert "33042119900101123X" not in poison.value.detail
