from datetime import UTC, datetime, timedelta

import pytest

from services.notary.domain import RegistryEntry, certificate_number, issuer_of, proof_due, proof_overdue, verify
from shared.contracts.notary import VerificationResult as R
from shared.contracts.regions import Region

T0 = datetime(2026, 4, 1, tzinfo=UTC)
DOC = "ab" * 32


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        (Region.JIASHAN, "(2026)浙嘉善证字第123号"),
        (Region.QINGPU, "(2026)沪青浦证字第123号"),
        (Region.WUJIANG, "(2026)苏吴江证字第123号"),
    ],
)
def test_numbers_and_their_issuer(region, expected):
    number = certificate_number(2026, region, 123)
    assert number == expected
    assert issuer_of(number) is region


def test_foreign_or_malformed_numbers_have_no_issuer():
    assert issuer_of("(2026)京朝阳证字第1号") is None
    assert issuer_of("certificate 7") is None


def test_sequences_start_at_one():
    with pytest.raises(ValueError):
        certificate_number(2026, Region.QINGPU, 0)


def test_verification_outcomes():
    valid = RegistryEntry("valid", DOC, T0 + timedelta(days=365))
    assert verify(valid, DOC, T0) is R.VALID
    assert verify(valid, DOC.upper(), T0) is R.VALID
    assert verify(valid, "cd" * 32, T0) is R.HASH_MISMATCH
    assert verify(valid, DOC, T0 + timedelta(days=365)) is R.EXPIRED
    assert verify(RegistryEntry("valid", DOC, None), DOC, T0 + timedelta(days=9999)) is R.VALID
    assert verify(RegistryEntry("revoked", DOC, None), DOC, T0) is R.REVOKED
    assert verify(RegistryEntry("revoked", DOC, None), "cd" * 32, T0) is R.REVOKED  # the certificate's state first
    assert verify(None, DOC, T0) is R.UNKNOWN


def test_proof_deadline_defaults_to_three_days():
    due = proof_due(T0)
    assert due == T0 + timedelta(days=3)
    assert not proof_overdue("requested", due, due)
    assert proof_overdue("requested", due, due + timedelta(seconds=1))
    assert not proof_overdue("provided", due, due + timedelta(days=1))


def test_one_status_everywhere():
    from services.notary.domain import CertificateStatus, certificate_status, check_issuable

    assert certificate_status("valid", T0 + timedelta(days=1), T0) is CertificateStatus.VALID
    assert certificate_status("valid", T0, T0) is CertificateStatus.EXPIRED
    assert certificate_status("valid", None, T0) is CertificateStatus.VALID
    assert certificate_status("revoked", T0 - timedelta(days=1), T0) is CertificateStatus.REVOKED
    with pytest.raises(ValueError):
        check_issuable(T0 - timedelta(seconds=1), T0)
    check_issuable(None, T0)
