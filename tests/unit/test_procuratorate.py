"""The procuratorates' channel, its pure rules and the evidence verifier: case numbers, what an event may
say of a material, the order of receipts and the overdue ones, and an exported chain checked offline
(signatures, order, hashes), each tampering named by its receipt."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.procuratorate import domain, evidence
from shared.adapters.signing import EventSigner, EventTrust, TrustedKey, key_id
from shared.contracts.procuratorate import Classification, ReceiptKind
from shared.contracts.regions import Region

S, R, D, T = ReceiptKind.SUBMITTED, ReceiptKind.RELAYED, ReceiptKind.DELIVERED, ReceiptKind.RETRIEVED
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_case_numbers_name_the_office_the_year_and_the_sequence_and_parse_back():
    number = domain.case_number(2026, Region.QINGPU, 12)
    assert number == "青检受〔2026〕12号"
    assert domain.parse_case_number(number) == ("青检", 2026, 12)
    assert domain.parse_case_number("(2026)沪青浦证字第1号") is None
    with pytest.raises(ValueError):
        domain.case_number(2026, Region.WUJIANG, 0)


def test_the_highest_classification_is_described_by_nothing_but_its_hash_and_holder():
    assert domain.described(Classification.SECRET, "a.pdf", 10, "application/pdf") == {
        "name": None,
        "size": None,
        "content_type": None,
    }
    shown = domain.described(Classification.CONFIDENTIAL, "a.pdf", 10, "application/pdf")
    assert shown == {"name": "a.pdf", "size": 10, "content_type": "application/pdf"}


def test_receipts_come_in_their_order_and_a_missing_one_is_named_past_its_deadline():
    assert domain.next_receipt([]) is S
    assert domain.next_receipt([S, R]) is D
    assert domain.next_receipt([S, R, D, T]) is None
    with pytest.raises(ValueError):
        domain.next_receipt([S, D])
    day = 24 * 3600
    assert domain.missing_past([S], NOW, NOW + timedelta(hours=23), day) is None  # not yet due
    assert domain.missing_past([S], NOW, NOW + timedelta(hours=25), day) is R
    assert domain.missing_past([S, R], NOW, NOW + timedelta(hours=25), day) is D
    assert domain.missing_past([S, R, D], NOW, NOW + timedelta(hours=25), day) is None  # opening is optional


def test_an_item_is_overdue_once_while_open_past_its_deadline():
    assert domain.overdue(True, NOW, NOW + timedelta(seconds=1), flagged=False)
    assert not domain.overdue(True, NOW, NOW + timedelta(seconds=1), flagged=True)
    assert not domain.overdue(False, NOW, NOW + timedelta(seconds=1), flagged=False)
    assert not domain.overdue(True, NOW, NOW, flagged=False)


# ---- the evidence verifier, with keys made here


SIGNERS = {region: EventSigner(region, Ed25519PrivateKey.generate()) for region in Region}
TRUST = EventTrust({s.kid: TrustedKey(region, s.key.public_key()) for region, s in SIGNERS.items()})
RECORD = {
    "record_kind": "referral",
    "record_id": "r-1",
    "sender_region": "qingpu",
    "content_sha256": "ab" * 32,
}


def _chain() -> dict:
    receipts, previous = [], None
    for minute, (kind, region) in enumerate([(S, "qingpu"), (R, "wujiang"), (D, "wujiang"), (T, "wujiang")]):
        fields = {
            "receipt_id": f"rc-{minute}",
            **RECORD,
            "kind": kind.value,
            "recipient_region": "wujiang",
            "region": region,
            "at": (NOW + timedelta(minutes=minute)).isoformat(),
            "actor": "w-p1" if kind is T else None,
            "previous_sha256": previous,
        }
        receipt = evidence.sign_receipt(SIGNERS[Region(region)], fields)
        receipts.append(receipt)
        previous = evidence.digest(receipt)
    return evidence.export(SIGNERS[Region.QINGPU], RECORD, receipts, NOW.isoformat())


def test_a_complete_chain_verifies_offline():
    assert evidence.verify(_chain(), TRUST) == []


def test_an_altered_receipt_is_named_by_its_signature():
    document = _chain()
    document["receipts"][2]["at"] = (NOW - timedelta(days=1)).isoformat()
    problems = evidence.verify(document, TRUST)
    assert any(p.startswith("receipt 3 (delivered → wujiang, rc-2)") and "signature" in p for p in problems)
    assert any(p.startswith("receipt 4 (retrieved") and "previous_sha256" in p for p in problems)


def test_a_removed_receipt_and_a_swapped_order_are_named():
    removed = _chain()
    del removed["receipts"][1]
    assert any(
        p.startswith("receipt 2 (delivered") and "the relayed receipt is missing" in p
        for p in evidence.verify(removed, TRUST)
    )
    swapped = _chain()
    swapped["receipts"][2], swapped["receipts"][3] = swapped["receipts"][3], swapped["receipts"][2]
    assert any(p.startswith("receipt 3 (retrieved") and "out of order" in p for p in evidence.verify(swapped, TRUST))


def test_a_receipt_signed_by_another_region_or_an_unknown_key_is_refused():
    document = _chain()
    forged = {k: v for k, v in document["receipts"][1].items() if k not in ("key_id", "signature")}
    document["receipts"][1] = evidence.sign_receipt(SIGNERS[Region.JIASHAN], forged)  # jiashan signs wujiang's step
    assert any("signed by jiashan's key, not by wujiang" in p for p in evidence.verify(document, TRUST))
    stranger = EventSigner(Region.WUJIANG, Ed25519PrivateKey.generate())
    unknown = _chain()
    unknown["receipts"][1] = evidence.sign_receipt(stranger, forged)
    assert any("which the trust file does not hold" in p for p in evidence.verify(unknown, TRUST))


def test_a_receipt_about_other_content_and_an_altered_export_are_refused():
    document = _chain()
    other = copy.deepcopy(document)
    fields = {k: v for k, v in other["receipts"][0].items() if k not in ("key_id", "signature")}
    other["receipts"][0] = evidence.sign_receipt(SIGNERS[Region.QINGPU], {**fields, "content_sha256": "cd" * 32})
    assert any("content_sha256 is not the record's" in p for p in evidence.verify(other, TRUST))
    document["exported_at"] = NOW.isoformat().replace("09", "10")
    assert evidence.verify(document, TRUST) == ["the export: its signature does not verify"]
    assert key_id(Region.QINGPU, SIGNERS[Region.QINGPU].key.public_key()) == document["key_id"]


def test_yrd_evidence_verify_checks_a_file_offline_and_names_what_fails(tmp_path):
    from typer.testing import CliRunner

    from shared.adapters.signing import public_pem
    from yrd import cli

    trust = tmp_path / "trust.json"
    keys = [{"region": r.value, "public_key": public_pem(s.key.public_key())} for r, s in SIGNERS.items()]
    trust.write_text(json.dumps({"event_keys": keys}))
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(_chain()))
    tampered = _chain()
    tampered["receipts"][3]["actor"] = "someone-else"
    bad.write_text(json.dumps(tampered))
    runner = CliRunner()

    passed = runner.invoke(cli.app, ["evidence", "verify", str(good), "--trust", str(trust)])
    assert passed.exit_code == 0 and "4 receipt(s)" in passed.output
    failed = runner.invoke(cli.app, ["evidence", "verify", str(bad), "--trust", str(trust), "--json"])
    assert failed.exit_code == 1
    outcome = json.loads(failed.output)
    assert outcome["verified"] is False and outcome["record"]["record_id"] == "r-1"
    assert any(p.startswith("receipt 4 (retrieved") and "signature" in p for p in outcome["problems"])
