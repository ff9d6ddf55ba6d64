from datetime import UTC, datetime, timedelta

import pytest

from services.alerts.domain import (
    DEFAULT_ACK_SECONDS,
    AckState,
    AlertRuleError,
    AlertStatus,
    ack_due,
    check_answerable,
    check_open,
    check_validity,
    due_for_escalation,
    is_expired,
    resolve_targets,
)
from shared.contracts.alerts import Severity
from shared.contracts.regions import Region

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("severity", "minutes"), [(Severity.I, 2), (Severity.II, 5), (Severity.III, 15), (Severity.IV, 60)]
)
def test_default_deadlines_by_severity(severity, minutes):
    assert ack_due(T0, severity) == T0 + timedelta(minutes=minutes)


def test_deadlines_are_configurable():
    assert ack_due(T0, Severity.I, {**DEFAULT_ACK_SECONDS, Severity.I: 30}) == T0 + timedelta(seconds=30)


def test_targets_default_to_the_other_two_and_never_the_origin():
    assert resolve_targets(Region.WUJIANG, None) == [Region.JIASHAN, Region.QINGPU]
    assert resolve_targets(Region.WUJIANG, [Region.QINGPU]) == [Region.QINGPU]
    with pytest.raises(AlertRuleError):
        resolve_targets(Region.WUJIANG, [Region.WUJIANG])


def test_escalation_once_per_late_target_with_a_controlled_clock():
    due = ack_due(T0, Severity.I)
    acked = AckState("jiashan", due, T0 + timedelta(seconds=30), None)
    silent = AckState("qingpu", due, None, None)
    assert due_for_escalation(AlertStatus.ACTIVE, [acked, silent], due) == []  # at the deadline: not yet late
    assert due_for_escalation(AlertStatus.ACTIVE, [acked, silent], due + timedelta(seconds=1)) == [silent]
    escalated = AckState("qingpu", due, None, due + timedelta(seconds=1))
    assert due_for_escalation(AlertStatus.ACTIVE, [acked, escalated], due + timedelta(hours=1)) == []


def test_closed_alerts_escalate_nothing():
    late = AckState("qingpu", T0, None, None)
    assert due_for_escalation(AlertStatus.RESOLVED, [late], T0 + timedelta(days=1)) == []


def test_expiry():
    until = T0 + timedelta(hours=6)
    assert not is_expired(AlertStatus.ACTIVE, until, until - timedelta(seconds=1))
    assert is_expired(AlertStatus.ACTIVE, until, until)
    assert not is_expired(AlertStatus.CANCELLED, until, until + timedelta(days=1))
    with pytest.raises(AlertRuleError):
        check_validity(T0, T0)


def test_state_rules():
    check_open(AlertStatus.ACTIVE, "update")
    with pytest.raises(AlertRuleError, match="resolved"):
        check_open(AlertStatus.RESOLVED, "update")
    check_answerable("open")
    with pytest.raises(AlertRuleError, match="dispatched"):
        check_answerable("dispatched")
