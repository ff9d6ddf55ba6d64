"""Signed events across the zone (broker-free): every region signs what it publishes and every consumer
verifies it before anything else; a forged, altered or misattributed record changes nothing, and a
region's key is rotated while its events keep flowing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.adapters.signing import EventSigner, EventTrust, TrustedKey, verifying_reader
from shared.contracts.envelope import DeadLetterReason, PoisonMessage
from shared.contracts.regions import Domain, Region
from shared.rules.policy import Role
from tests.e2e.filing_data import filing_body
from tests.instances import token

J, Q, W = Region.JIASHAN, Region.QINGPU, Region.WUJIANG


def submit(zone) -> str:
    answer = zone.client(J, token=token(J, Role.WINDOW_CLERK)).post("/filings", json=filing_body(court="qingpu"))
    assert answer.status_code == 202, answer.text
    return answer.json()["id"]


def filings_at(zone, region: Region) -> set[str]:
    with zone.runtime(region).store.connect() as conn:
        return {row[0] for row in conn.execute("SELECT id FROM filings")}


def refused(zone, delivery, to: Region) -> DeadLetterReason:
    with pytest.raises(PoisonMessage) as poison:
        zone.deliver(delivery, to)
    return poison.value.reason


def test_forged_altered_and_misattributed_records_change_nothing(zone_of):
    zone = zone_of(Domain.FILING, hold=True)
    filing = submit(zone)
    genuine = next(d for d in zone.take() if d.topic.endswith("jiashan.filing"))
    jiashan_signs = zone.runtime(J).relay.sign  # a batch of records' headers

    altered = replace(genuine, value=genuine.value.replace(b"civil", b"criminal_private"))
    assert refused(zone, altered, W) is DeadLetterReason.BAD_SIGNATURE
    unsigned = replace(genuine, headers=[(n, v) for n, v in genuine.headers if n != "ce_signature"])
    assert refused(zone, unsigned, W) is DeadLetterReason.BAD_SIGNATURE
    # Jiashan's own key, putting words in Qingpu's mouth on Qingpu's topic:
    as_qingpu = [(n, b"qingpu" if n == "ce_region" else v) for n, v in genuine.headers]
    [signed_as_qingpu] = jiashan_signs([(as_qingpu, genuine.value)])
    forged = replace(genuine, topic=genuine.topic.replace("jiashan.", "qingpu."), headers=signed_as_qingpu)
    assert refused(zone, forged, W) is DeadLetterReason.MISATTRIBUTED
    stranger = EventSigner(J, Ed25519PrivateKey.generate())
    assert refused(zone, replace(genuine, headers=stranger.sign(genuine.headers, genuine.value)), W) is (
        DeadLetterReason.UNTRUSTED_SIGNER
    )
    assert filing not in filings_at(zone, W)  # none of them changed anything
    assert zone.deliver(genuine, W) and filing in filings_at(zone, W)  # the genuine record still applies


def _trusting(zone, trust: EventTrust) -> None:
    """What deploying a new trust list to every instance does."""
    for region in Region:
        consumer = zone.runtime(region).consumer
        consumer.read = verifying_reader(trust, zone.runtime(region).settings.topic_prefix)


def test_a_key_is_rotated_while_events_flow(zone_of):
    zone = zone_of(Domain.FILING, hold=True)
    trust = EventTrust.load(zone.runtime(J).settings.resolved_trust_file)
    old_kid = next(kid for kid, key in trust.keys.items() if key.region == J)
    new = EventSigner(J, Ed25519PrivateKey.generate())

    before = submit(zone)
    signed_with_old = zone.take()
    # 1. Every region trusts both keys; 2. Jiashan signs with the new one; traffic keeps flowing.
    both = EventTrust({**trust.keys, new.kid: TrustedKey(J, new.key.public_key())})
    _trusting(zone, both)
    zone.runtime(J).relay.sign = new.sign_all
    after = submit(zone)
    signed_with_new = zone.take()
    assert all(dict(d.headers)["ce_signaturekid"] == new.kid.encode() for d in signed_with_new)
    for delivery in signed_with_old + signed_with_new:  # the old key's events still in flight are accepted
        for region in Region:
            if region != delivery.source:
                zone.deliver(delivery, region)
    assert {before, after} <= filings_at(zone, Q) and {before, after} <= filings_at(zone, W)

    # 3. The old key's window closes: what is signed with it from now on is refused.
    closed = replace(both.keys[old_kid], not_after=datetime.now(UTC))
    _trusting(zone, EventTrust({**both.keys, old_kid: closed}))
    zone.runtime(J).relay.sign = EventSigner.load(zone.runtime(J).settings.resolved_event_key_file, J).sign_all
    late = submit(zone)
    stale = next(d for d in zone.take() if d.topic.endswith("jiashan.filing"))
    assert refused(zone, stale, W) is DeadLetterReason.UNTRUSTED_SIGNER
    assert late not in filings_at(zone, W)
