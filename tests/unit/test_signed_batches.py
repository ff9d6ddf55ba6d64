"""Signed batches (shared/adapters/signing.py): one Ed25519 signature over the Merkle root of up to 64
events, each event checked on its own by its inclusion path; what is refused, and the one-by-one
signatures of earlier versions still read."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.signing import SigningKey

from shared.adapters.signing import SIGNED_BATCH, EventSigner, EventTrust, TrustedKey, signing_input
from shared.contracts.envelope import SIGNATURE_HEADER, SIGNATURE_KEY_HEADER, SIGNATURE_PATH_HEADER, DeadLetterReason
from shared.contracts.regions import Region
from tests.unit.test_signing import J, record, refusal


@pytest.fixture
def jiashan():
    signer = EventSigner(Region.JIASHAN, Ed25519PrivateKey.generate())
    return signer, EventTrust({signer.kid: TrustedKey(signer.region, signer.key.public_key())})


def batch(count: int) -> list[tuple[list[tuple[str, bytes]], bytes]]:
    """`count` distinct records, as a relay's batch holds them."""
    records = []
    for i in range(count):
        headers, _ = record()
        records.append(([(n, f"e-{i}".encode() if n == "ce_id" else v) for n, v in headers], f'{{"n": {i}}}'.encode()))
    return records


def header(headers, name: str) -> bytes:
    return dict(headers)[name]


def with_header(headers, name: str, value: bytes | None):
    kept = [(n, v) for n, v in headers if n != name]
    return kept if value is None else [*kept, (name, value)]


@pytest.mark.parametrize("count", [1, 2, 5, 64, 65, 130])
def test_every_record_of_a_batch_is_accepted_on_its_own_with_one_check_per_signature(jiashan, count):
    signer, trust = jiashan
    records = batch(count)
    signed = signer.sign_all(records)
    for headers, (_, value) in zip(signed, records, strict=True):
        trust.verify(Region.JIASHAN, headers, value)
    signatures = {header(h, SIGNATURE_HEADER) for h in signed}
    assert len(signatures) == -(-count // SIGNED_BATCH)  # one per 64 records
    assert trust._root_signed.cache_info().misses == len(signatures)  # the rest cost a few hashes


def test_a_record_altered_or_moved_within_its_batch_is_refused(jiashan):
    signer, trust = jiashan
    records = batch(5)
    signed = signer.sign_all(records)
    (first, value), (second, _) = (signed[0], records[0][1]), (signed[1], records[1][1])
    trust.verify(Region.JIASHAN, first, value)  # its batch's root is now known good
    assert refusal(trust, J, first, b'{"n": 99}') is DeadLetterReason.BAD_SIGNATURE  # altered value
    renamed = [(n, b"e-9" if n == "ce_id" else v) for n, v in first]
    assert refusal(trust, J, renamed, value) is DeadLetterReason.BAD_SIGNATURE  # an altered attribute
    borrowed = with_header(first, SIGNATURE_PATH_HEADER, header(second, SIGNATURE_PATH_HEADER))
    assert refusal(trust, J, borrowed, value) is DeadLetterReason.BAD_SIGNATURE  # another record's path
    moved = header(first, SIGNATURE_PATH_HEADER).replace(b"0/5:", b"1/5:", 1)
    assert refusal(trust, J, with_header(first, SIGNATURE_PATH_HEADER, moved), value) is DeadLetterReason.BAD_SIGNATURE


@pytest.mark.parametrize(
    "path", [None, b"", b"0/5", b"x/5:AAAA", b"0/5:!!!!", b"0/5:" + base64.urlsafe_b64encode(b"short"), b"7/5:"]
)
def test_a_missing_or_malformed_path_is_a_bad_signature_not_a_crash(jiashan, path):
    signer, trust = jiashan
    records = batch(5)
    headers, value = signer.sign_all(records)[0], records[0][1]
    assert refusal(trust, J, with_header(headers, SIGNATURE_PATH_HEADER, path), value) is (
        DeadLetterReason.BAD_SIGNATURE
    )


def test_a_forged_batch_under_a_trusted_key_id_is_refused_each_time(jiashan):
    signer, trust = jiashan
    stranger = EventSigner(Region.JIASHAN, Ed25519PrivateKey.generate())
    records = batch(3)
    forged = [with_header(h, SIGNATURE_KEY_HEADER, signer.kid.encode()) for h in stranger.sign_all(records)]
    for headers, (_, value) in zip(forged, records, strict=True):
        assert refusal(trust, J, headers, value) is DeadLetterReason.BAD_SIGNATURE
    for headers, (_, value) in zip(signer.sign_all(records), records, strict=True):
        trust.verify(Region.JIASHAN, headers, value)  # the genuine batch is not tainted by it


def legacy(signer: EventSigner, headers, value: bytes) -> list[tuple[str, bytes]]:
    """A record signed on its own, as versions before signed batches published them."""
    raw = SigningKey(signer.key.private_bytes_raw()).sign(signing_input(headers, value)).signature
    return [*headers, (SIGNATURE_HEADER, base64.urlsafe_b64encode(raw)), (SIGNATURE_KEY_HEADER, signer.kid.encode())]


def test_records_signed_one_by_one_by_earlier_versions_are_still_read_and_not_confused(jiashan):
    signer, trust = jiashan
    headers, value = record()
    old = legacy(signer, headers, value)
    trust.verify(Region.JIASHAN, old, value)
    # Neither signature passes for the other kind: a path added to the old one, or the batch's path taken away
    # (in a batch of one, the root is the record's own leaf hash).
    as_batch = with_header(old, SIGNATURE_PATH_HEADER, b"0/1:")
    assert refusal(trust, J, as_batch, value) is DeadLetterReason.BAD_SIGNATURE
    as_single = with_header(signer.sign(headers, value), SIGNATURE_PATH_HEADER, None)
    assert refusal(trust, J, as_single, value) is DeadLetterReason.BAD_SIGNATURE
