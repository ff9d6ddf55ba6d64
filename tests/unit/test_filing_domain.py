from datetime import UTC, datetime, timedelta

import pytest

from services.filing.domain import (
    CODE_ALPHABET,
    Action,
    FilingStatus,
    InvalidTransition,
    can,
    decision_due,
    docket_number,
    is_overdue,
    new_filing_code,
    next_status,
    normalized_code,
)
from shared.contracts.filing import CaseType


def test_the_happy_path_through_correction():
    status = FilingStatus.SUBMITTED
    for action in (Action.RECEIVE, Action.REQUEST_CORRECTION, Action.RESUBMIT, Action.ACCEPT):
        status = next_status(action, status)
    assert status is FilingStatus.ACCEPTED


@pytest.mark.parametrize("decided", [FilingStatus.ACCEPTED, FilingStatus.REJECTED, FilingStatus.WITHDRAWN])
def test_nothing_moves_a_decided_filing(decided):
    for action in Action:
        assert not can(action, decided)
    with pytest.raises(InvalidTransition) as refused:
        next_status(Action.WITHDRAW, decided)
    assert refused.value.current is decided


def test_only_the_reviewing_states_can_be_decided():
    assert can(Action.ACCEPT, FilingStatus.RECEIVED) and can(Action.ACCEPT, FilingStatus.RESUBMITTED)
    assert not can(Action.ACCEPT, FilingStatus.SUBMITTED)
    assert not can(Action.ACCEPT, FilingStatus.CORRECTION_REQUESTED)
    assert not can(Action.RESUBMIT, FilingStatus.RECEIVED)


def test_withdrawal_is_possible_until_decided():
    for status in (
        FilingStatus.SUBMITTED,
        FilingStatus.RECEIVED,
        FilingStatus.CORRECTION_REQUESTED,
        FilingStatus.RESUBMITTED,
    ):
        assert next_status(Action.WITHDRAW, status) is FilingStatus.WITHDRAWN


def test_seven_day_rule():
    received = datetime(2026, 3, 1, 9, tzinfo=UTC)
    due = decision_due(received)
    assert due == received + timedelta(days=7)
    assert not is_overdue(FilingStatus.RECEIVED, due, due)
    assert is_overdue(FilingStatus.RECEIVED, due, due + timedelta(seconds=1))
    assert not is_overdue(FilingStatus.CORRECTION_REQUESTED, due, due + timedelta(days=1))  # waiting on the filer
    assert not is_overdue(FilingStatus.ACCEPTED, due, due + timedelta(days=1))


@pytest.mark.parametrize(
    ("case_type", "expected"),
    [
        (CaseType.CIVIL, "(2026)沪0118民初1532号"),
        (CaseType.ADMINISTRATIVE, "(2026)沪0118行初1532号"),
        (CaseType.CRIMINAL_PRIVATE, "(2026)沪0118刑初1532号"),
        (CaseType.ENFORCEMENT, "(2026)沪0118执1532号"),
    ],
)
def test_docket_numbers(case_type, expected):
    assert docket_number(2026, "沪0118", case_type, 1532) == expected


def test_docket_sequences_start_at_one():
    with pytest.raises(ValueError):
        docket_number(2026, "浙0421", CaseType.CIVIL, 0)


def test_one_time_notice_refuses_a_second_request():
    from services.filing.domain import NoticeAlreadyGiven, check_one_time_notice

    check_one_time_notice(already_requested=False)
    with pytest.raises(NoticeAlreadyGiven):
        check_one_time_notice(already_requested=True)


def test_court_years_follow_beijing_time():
    from shared.contracts.regions import zone_date

    # 00:30 on 1 January in Shanghai is still 31 December in UTC
    assert zone_date(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)).year == 2027
    assert zone_date(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)).year == 2026


def test_a_filing_code_spends_its_50_bits_five_per_character_from_the_first():
    assert new_filing_code(lambda bits: 0) == "00000-00000"
    assert new_filing_code(lambda bits: 2**bits - 1) == "ZZZZZ-ZZZZZ"
    assert new_filing_code(lambda bits: 1 << 45) == "10000-00000"  # the highest five bits: the first character
    counting = sum(i << (45 - 5 * i) for i in range(10))
    assert new_filing_code(lambda bits: counting) == "01234-56789"


def test_every_symbol_can_appear_and_a_code_reads_back_as_typed():
    import secrets

    codes = [new_filing_code(secrets.randbits) for _ in range(400)]
    assert set("".join(codes).replace("-", "")) == set(CODE_ALPHABET)
    assert all(normalized_code(code.lower().replace("-", " ")) == code.replace("-", "") for code in codes)
