from datetime import UTC, date, datetime, timedelta

import pytest

from services.corrections.domain import (
    CorrectionRuleError,
    InvalidMove,
    Move,
    Movement,
    SubjectStatus,
    check_in_open,
    check_travel,
    involved,
    next_status,
    report_in_due,
    report_in_overdue,
)
from shared.contracts.identifiers import id_check_char, identity_problem

BASE = "33042119850315" + "123"  # odd sequence: male
ID = BASE + id_check_char(BASE)
TODAY = date(2026, 6, 1)


def test_identity_must_agree_with_the_id_number():
    assert identity_problem(ID, date(1985, 3, 15), "male") is None
    assert identity_problem(ID, date(1985, 3, 16), "male") == "birth_date does not match the ID number"
    assert identity_problem(ID, date(1985, 3, 15), "female") == "gender does not match the ID number"


def test_report_in_windows():
    assert report_in_due(date(2026, 6, 1), 10 * 86400) == datetime(2026, 6, 11, tzinfo=UTC)
    decided = datetime(2026, 6, 1, 15, tzinfo=UTC)
    due = report_in_due(decided, 7 * 86400)
    assert due == decided + timedelta(days=7)
    assert report_in_overdue(SubjectStatus.ENROLLED, due, due + timedelta(seconds=1))
    assert not report_in_overdue(SubjectStatus.ENROLLED, due, due)
    assert not report_in_overdue(SubjectStatus.REPORTED_IN, due, due + timedelta(days=3))


def test_the_life_of_a_record():
    status = SubjectStatus.ENROLLED
    for move in (
        Move.REPORT_IN,
        Move.APPROVE_TRAVEL,
        Move.RETURN,
        Move.REQUEST_TRANSFER,
        Move.TRANSFER_OWNERSHIP,
        Move.REPORT_IN,
        Move.RELEASE,
    ):
        status = next_status(move, status)
    assert status is SubjectStatus.RELEASED


@pytest.mark.parametrize(
    ("move", "current"),
    [
        (Move.APPROVE_TRAVEL, SubjectStatus.ENROLLED),
        (Move.RELEASE, SubjectStatus.TRAVELLING),
        (Move.REQUEST_TRANSFER, SubjectStatus.TRAVELLING),
        (Move.REPORT_IN, SubjectStatus.RELEASED),
    ],
)
def test_refused_moves_name_the_current_status(move, current):
    with pytest.raises(InvalidMove) as refused:
        next_status(move, current)
    assert refused.value.current is current


def test_travel_rules_name_the_field_at_fault():
    ends = TODAY + timedelta(days=100)
    check_travel("jiashan", "qingpu", TODAY, TODAY + timedelta(days=6), TODAY, ends)
    for args, field in (
        (("jiashan", "jiashan", TODAY, TODAY), "destination"),
        (("jiashan", "qingpu", TODAY, TODAY - timedelta(days=1)), "to_date"),
        (("jiashan", "qingpu", TODAY - timedelta(days=1), TODAY), "from_date"),
        (("jiashan", "qingpu", TODAY, TODAY + timedelta(days=30)), "to_date"),
        (("jiashan", "qingpu", ends - timedelta(days=2), ends + timedelta(days=1)), "to_date"),  # past the end
    ):
        with pytest.raises(CorrectionRuleError) as refused:
            check_travel(*args, TODAY, ends)
        assert refused.value.field == field


def test_a_trip_opens_access_only_on_its_dates():
    later = Movement("travel", "qingpu", "approved", TODAY + timedelta(days=20), TODAY + timedelta(days=14))
    assert not involved("qingpu", [later], TODAY)
    assert involved("qingpu", [later], TODAY + timedelta(days=14))
    assert not check_in_open(TODAY + timedelta(days=14), TODAY + timedelta(days=20), TODAY)
    assert check_in_open(TODAY, TODAY, TODAY)
    assert next_status(Move.APPROVE_TRAVEL, SubjectStatus.UNDER_SUPERVISION) is SubjectStatus.TRAVEL_APPROVED
    assert next_status(Move.START_TRAVEL, SubjectStatus.TRAVEL_APPROVED) is SubjectStatus.TRAVELLING


def test_another_region_is_involved_only_while_a_movement_to_it_is_active():
    trip = Movement("travel", "qingpu", "checked_in", TODAY + timedelta(days=2))
    assert involved("qingpu", [trip], TODAY)
    assert not involved("wujiang", [trip], TODAY)
    assert not involved("qingpu", [Movement("travel", "qingpu", "returned", TODAY + timedelta(days=2))], TODAY)
    assert not involved("qingpu", [trip], TODAY + timedelta(days=3))  # the trip is over
    assert involved("jiashan", [Movement("transfer", "jiashan", "pending")], TODAY)
    assert not involved("jiashan", [Movement("transfer", "jiashan", "rejected")], TODAY)
