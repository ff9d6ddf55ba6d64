"""Signed events (shared/adapters/signing.py): what a consumer accepts, and why it refuses the rest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.adapters.signing import (
    EventSigner,
    EventTrust,
    TrustedKey,
    init_dev_event_keys,
    key_id,
    verifying_reader,
)
from shared.contracts.envelope import DeadLetterReason, PoisonMessage
from shared.contracts.regions import Region

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
J, Q = "jiashan", "qingpu"


def record(region: str = J, at: datetime = NOW) -> tuple[list[tuple[str, bytes]], bytes]:
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", b"e-1"),
        ("ce_type", b"cn.yrd.filing.withdrawn.v1"),
        ("ce_region", region.encode()),
        ("ce_time", at.isoformat().encode()),
        ("content-type", b"application/json"),
    ]
    return headers, b'{"filing_id": "f-1"}'


@pytest.fixture
def keys():
    signers = {r.value: EventSigner(r, Ed25519PrivateKey.generate()) for r in Region}
    trust = EventTrust({s.kid: TrustedKey(s.region, s.key.public_key()) for s in signers.values()})
    return signers, trust


def refusal(trust: EventTrust, topic_region: str, headers, value) -> DeadLetterReason:
    with pytest.raises(PoisonMessage) as refused:
        trust.verify(Region(topic_region), headers, value)
    return refused.value.reason


def test_a_record_signed_by_its_own_region_is_accepted(keys):
    signers, trust = keys
    headers, value = record()
    trust.verify(signers[J].region, signers[J].sign(headers, value), value)


def test_unsigned_altered_and_forged_records_are_refused(keys):
    signers, trust = keys
    headers, value = record()
    signed = signers[J].sign(headers, value)
    assert refusal(trust, J, headers, value) is DeadLetterReason.BAD_SIGNATURE  # unsigned
    assert refusal(trust, J, signed, b'{"filing_id": "f-2"}') is DeadLetterReason.BAD_SIGNATURE  # value altered
    renamed = [(n, b"e-2" if n == "ce_id" else v) for n, v in signed]
    assert refusal(trust, J, renamed, value) is DeadLetterReason.BAD_SIGNATURE  # an attribute altered
    stranger = EventSigner(signers[J].region, Ed25519PrivateKey.generate())
    assert refusal(trust, J, stranger.sign(headers, value), value) is DeadLetterReason.UNTRUSTED_SIGNER


def test_a_region_cannot_speak_for_another(keys):
    signers, trust = keys
    headers, value = record(region=Q)  # names Qingpu...
    forged = signers[J].sign(headers, value)  # ...signed with Jiashan's key
    assert refusal(trust, Q, forged, value) is DeadLetterReason.MISATTRIBUTED  # on Qingpu's topic
    own_headers, _ = record(region=J)
    on_wrong_topic = signers[J].sign(own_headers, value)
    assert refusal(trust, Q, on_wrong_topic, value) is DeadLetterReason.MISATTRIBUTED  # Jiashan's, on Qingpu's topic


def test_a_key_is_trusted_only_within_its_validity(keys):
    signers, _ = keys
    old, new = signers[J], EventSigner(signers[J].region, Ed25519PrivateKey.generate())
    rotated = EventTrust(
        {
            old.kid: TrustedKey(old.region, old.key.public_key(), not_after=NOW),
            new.kid: TrustedKey(new.region, new.key.public_key(), not_before=NOW - timedelta(hours=1)),
        }
    )
    before, after = record(at=NOW - timedelta(minutes=1)), record(at=NOW + timedelta(minutes=1))
    rotated.verify(old.region, old.sign(*before), before[1])  # the old key, while it was valid
    rotated.verify(new.region, new.sign(*after), after[1])
    assert refusal(rotated, J, old.sign(*after), after[1]) is DeadLetterReason.UNTRUSTED_SIGNER
    too_early = record(at=NOW - timedelta(hours=2))
    assert refusal(rotated, J, new.sign(*too_early), too_early[1]) is DeadLetterReason.UNTRUSTED_SIGNER


def test_the_reader_checks_the_topic_it_came_from_before_decoding(keys):
    signers, trust = keys
    headers, value = record()
    read = verifying_reader(trust, "t1.")
    with pytest.raises(PoisonMessage) as refused:
        read("t1.qingpu.filing", b"f-1", value, signers[J].sign(headers, value))
    assert refused.value.reason is DeadLetterReason.MISATTRIBUTED


def test_development_keys_are_made_once_and_the_trust_file_lists_them(tmp_path):
    trust_path = tmp_path / "trust.json"
    trust_path.write_text(json.dumps({"regions": {}}))
    assert init_dev_event_keys(tmp_path, trust_path)
    first = trust_path.read_text()
    assert not init_dev_event_keys(tmp_path, trust_path) and trust_path.read_text() == first
    trust = EventTrust.load(trust_path)
    for region in ("jiashan", "qingpu", "wujiang"):
        signer = EventSigner.load(tmp_path / f"{region}.events.key.pem", Region(region))
        assert trust.keys[signer.kid].region == region
        assert key_id(Region(region), signer.key.public_key()) == signer.kid
        assert (tmp_path / f"{region}.events.key.pem").stat().st_mode & 0o077 == 0
